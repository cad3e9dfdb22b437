namespace Kastell.Server.Tests.Support;

public sealed partial class TestBrowser
{
    /// <summary>Posts any content (a form whose fields repeat, a multipart upload); the answer becomes <see cref="LastPage"/>.</summary>
    public async Task<HttpResponseMessage> PostContentAsync(string path, HttpContent content)
    {
        var response = await Client.PostAsync(path, content, TestContext.Current.CancellationToken);
        LastPage = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return response;
    }
}
