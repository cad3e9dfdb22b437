using System.Net;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Platform.Localization;

/// <summary>
/// The language a user chose is kept in the profile and follows them to another device: the pages and the error
/// pages speak it alike (before, only the re-executed error page did, while the page before it followed the browser).
/// </summary>
public sealed class ProfileCultureTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    [Fact]
    public async Task TheProfilesLanguage_AppliesToPagesAndErrorPagesAlike_OnAnotherDevice()
    {
        using var first = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(first);
        await first.GetAsync("/");
        var switched = await first.PostAsync("/culture", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = first.AnyAntiforgeryToken(),
            ["culture"] = "de",
            ["returnUrl"] = "/",
        });
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);

        using var second = host.CreateBrowser(); // no culture cookie, no Accept-Language
        await Journeys.SignInAsync(second, user);

        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/account/security")).StatusCode);
        Assert.Contains("<html lang=\"de\"", second.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await second.GetAsync("/no-such-page")).StatusCode);
        Assert.Contains("<html lang=\"de\"", second.LastPage, StringComparison.Ordinal);
        Assert.Contains("<h1>Nicht gefunden</h1>", second.LastPage, StringComparison.Ordinal);
    }
}
