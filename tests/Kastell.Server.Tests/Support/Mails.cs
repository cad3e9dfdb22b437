using Kastell.Server.Tests.Infrastructure;

namespace Kastell.Server.Tests.Support;

/// <summary>Reading the links Kastell puts into e-mails.</summary>
public static class Mails
{
    /// <summary>The one link in the message to <paramref name="path"/>, as a path and query the test browser can open.</summary>
    public static string LinkTo(ReceivedMessage message, string path)
    {
        var link = Assert.Single(message.Links, l => l.AbsolutePath == path);
        Assert.StartsWith(KastellHost.PublicBaseUrl + "/", link.ToString(), StringComparison.Ordinal);
        return link.PathAndQuery;
    }

    /// <summary>The same link with one query parameter replaced (for tampering).</summary>
    public static string WithQuery(string pathAndQuery, string name, string value)
    {
        var uri = new Uri(new Uri(KastellHost.PublicBaseUrl), pathAndQuery);
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        query[name] = value;
        return uri.AbsolutePath + "?" + query;
    }

    public static Task<ReceivedMessage> WaitAsync(KastellHost host, string to, string subjectContains) =>
        host.Mail.WaitForMessageAsync(to, m => m.Subject.Contains(subjectContains, StringComparison.Ordinal), cancellationToken: TestContext.Current.CancellationToken);
}
