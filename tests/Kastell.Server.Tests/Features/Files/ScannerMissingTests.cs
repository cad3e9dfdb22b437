using System.Net;
using System.Text.RegularExpressions;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;

namespace Kastell.Server.Tests.Features.Files;

/// <summary>
/// No clamd answers: the files page tells the organization's owners and admins (who can have one installed) that
/// uploads wait in quarantine and how to install a scanner; everyone else sees only that their own upload is held,
/// not saved — never a green success.
/// </summary>
public abstract partial class ScannerMissingTests(KastellHost host)
{
    [Fact]
    public async Task OwnerAndAdmin_SeeThatNoScannerAnswers_AndHowToInstallOne()
    {
        var (owner, files, organizationId, spaceId) = await OwnerWithSpaceAsync();
        using var admin = host.CreateBrowser();
        var adminUser = await Journeys.SignUpAndEnrolAsync(admin);
        await Tenants.AddMemberAsync(host, organizationId, adminUser.Email, OrganizationRole.Admin);

        foreach (var browser in new[] { owner, admin })
        {
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(files)).StatusCode);
            var notice = Notice().Match(browser.LastPage!);
            Assert.True(notice.Success, "No scanner notice on the files page.");
            Assert.Contains("No malware scanner answers", notice.Value, StringComparison.Ordinal);
            Assert.Contains("apt-get install clamav-daemon", notice.Value, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnEditorWhoIsNoAdmin_SeesNoScannerNotice_ButTheirUploadIsHeld_NotSaved()
    {
        var (_, files, organizationId, spaceId) = await OwnerWithSpaceAsync();
        using var editor = host.CreateBrowser();
        var editorUser = await Journeys.SignUpAndEnrolAsync(editor);
        await Tenants.AddMemberAsync(host, organizationId, editorUser.Email, OrganizationRole.Member, (spaceId, SpaceRole.Editor));

        var upload = await FileEndpointTests.UploadAsync(editor, files, "bericht.txt", "Inhalt"u8.ToArray());
        Assert.Equal(files + "?upload=quarantined", TestBrowser.LocationOf(upload));
        await editor.GetAsync(TestBrowser.LocationOf(upload)!);

        Assert.DoesNotContain("data-testid=\"scanner-missing\"", editor.LastPage, StringComparison.Ordinal);
        var message = UploadResult().Match(editor.LastPage!);
        Assert.True(message.Success);
        Assert.Equal("warning", message.Groups["kind"].Value);
        Assert.Contains("Not saved yet", message.Value, StringComparison.Ordinal);
        Assert.Contains("held in quarantine", message.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("has been stored", message.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheNotice_IsInGerman_OnAGermanPage()
    {
        var (owner, files, _, _) = await OwnerWithSpaceAsync();
        await owner.GetAsync(files);
        await owner.PostAsync("/culture", new Dictionary<string, string> { ["__RequestVerificationToken"] = owner.AnyAntiforgeryToken(), ["culture"] = "de", ["returnUrl"] = files });

        var upload = await FileEndpointTests.UploadAsync(owner, files, "bericht.txt", "Inhalt"u8.ToArray());
        await owner.GetAsync(TestBrowser.LocationOf(upload)!);

        Assert.Contains("Keine Virenprüfung antwortet", Notice().Match(owner.LastPage!).Value, StringComparison.Ordinal);
        Assert.Contains("Noch nicht gespeichert", UploadResult().Match(owner.LastPage!).Value, StringComparison.Ordinal);
    }

    private async Task<(TestBrowser Owner, string Files, Guid OrganizationId, Guid SpaceId)> OwnerWithSpaceAsync()
    {
        var owner = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(owner);
        var spaceId = await Tenants.CreateSpaceAsync(host, owner, user.OrganizationSlug, "Ablage");
        return (owner, $"/o/{user.OrganizationSlug}/s/ablage/files", await Tenants.OrganizationIdAsync(host, user.OrganizationSlug), spaceId);
    }

    [GeneratedRegex("<div class=\"alert warning\" role=\"status\" data-testid=\"scanner-missing\">[\\s\\S]*?</div>")]
    private static partial Regex Notice();

    [GeneratedRegex("<div class=\"alert (?<kind>[a-z]+)\" role=\"[a-z]+\" data-testid=\"upload-result\">[^<]*</div>")]
    private static partial Regex UploadResult();
}

public sealed class NoScannerSqliteHost(SmtpSink mail) : SqliteHost(mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Kastell:Storage:Clamd", Clamd.Unreachable)];
}

public sealed class NoScannerPostgresHost(PostgresCluster cluster, SmtpSink mail) : PostgresHost(cluster, mail)
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Kastell:Storage:Clamd", Clamd.Unreachable)];
}

public sealed class ScannerMissingTestsOnSqlite(NoScannerSqliteHost host) : ScannerMissingTests(host), IClassFixture<NoScannerSqliteHost>;

public sealed class ScannerMissingTestsOnPostgres(NoScannerPostgresHost host) : ScannerMissingTests(host), IClassFixture<NoScannerPostgresHost>;
