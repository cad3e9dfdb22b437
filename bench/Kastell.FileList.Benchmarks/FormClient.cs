using System.Net;
using System.Text.RegularExpressions;

namespace Kastell.FileList.Benchmarks;

/// <summary>Signs a user in through the real pages, as a browser without JavaScript would: password, then a recovery code.</summary>
internal static partial class FormClient
{
    public static async Task SignInAsync(HttpClient browser, string email, string password, string recoveryCode)
    {
        var password_ = await SubmitAsync(browser, "/account/sign-in", "sign-in", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Expect(password_, "/account/sign-in/mfa");
        var recovery = await SubmitAsync(browser, "/account/sign-in/recovery", "sign-in-recovery", new() { ["Input.Code"] = recoveryCode });
        Expect(recovery, "/");
    }

    private static async Task<HttpResponseMessage> SubmitAsync(HttpClient browser, string path, string form, Dictionary<string, string> fields)
    {
        var page = await browser.GetStringAsync(path);
        var token = Token().Match(page);
        if (!token.Success)
        {
            throw new InvalidOperationException($"No antiforgery token on {path}.");
        }

        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        fields["_handler"] = form;
        using var content = new FormUrlEncodedContent(fields);
        return await browser.PostAsync(path, content);
    }

    private static void Expect(HttpResponseMessage response, string locationPrefix)
    {
        var location = response.Headers.Location?.OriginalString ?? "";
        if (response.StatusCode != HttpStatusCode.Redirect || !location.Replace("https://localhost", "", StringComparison.Ordinal).StartsWith(locationPrefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Signing in: expected a redirect to {locationPrefix}, got {(int)response.StatusCode} {location}.");
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]*)\"")]
    private static partial Regex Token();
}
