using System.Net;
using System.Security.Cryptography;
using System.Text;
using Kastell.Server.Features.Accounts.Mfa;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Features.Organizations.Members;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Controls;
using Kastell.Server.Tests.Features.Frameworks;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Platform.Security;

/// <summary>
/// Every endpoint that accepts a POST — every page (form posts) and every minimal-API endpoint, enumerated from the
/// endpoint data source — refuses a post without an antiforgery token with 400, and nothing changes: a cross-site
/// form posted by another origin with the victim's cookies does nothing. The signed-in owner's browser has the
/// antiforgery cookie; only the token in the form is missing, as in a forged cross-site post.
/// </summary>
public sealed class AntiforgeryCoverageTests(SqliteHost host) : IClassFixture<SqliteHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Endpoints that answer POST without a token by design, each with the reason.</summary>
    private static readonly Dictionary<string, string> NoTokenNeeded = new()
    {
        ["/health/live"] = "liveness probe mapped for any method; reads nothing",
        ["/health/ready"] = "readiness probe mapped for any method; only reads the database",
        ["/sso/saml/{organization:guid}/{connection:guid}/acs"] = "the SAML ACS URL: the identity provider's page posts there cross-site (HTTP-POST binding), so no token can come along; the request id in the browser's cookie, the stored request and the signed InResponseTo bind the answer to the browser that asked (and an unknown connection is 404)",
    };

    /// <summary>
    /// Endpoints that refuse a tokenless post by crashing (a 500 in production) instead of answering 400; nothing
    /// changes, but they are defects to fix, each with what happens. Once one answers 400 this test says to remove it.
    /// </summary>
    private static readonly Dictionary<string, string> CrashesInsteadOf400 = new()
    {
    };

    /// <summary>
    /// Tables whose rows a refused request may touch without changing anything: the audit trail records refusals, a
    /// session's last-seen time moves, and the mail outbox empties itself as the set-up's mails go out (a forged post
    /// that queued one would show in the audit check below).
    /// </summary>
    private static readonly HashSet<string> NotCompared = ["AuditEvents", "AuditCheckpoints", "UserSessions", "SiemCursors", "OutgoingEmails", "MemberEventCopyCursors", "MemberEventCopyMarks"];

    [Fact]
    public async Task EveryPost_WithoutAnAntiforgeryToken_Is400_AndChangesNothing()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        var org = await Tenants.OrganizationIdAsync(host, owner.OrganizationSlug);
        var space = await Tenants.CreateSpaceAsync(host, browser, owner.OrganizationSlug, "Forms");
        var file = await Tenants.StoreFileAsync(host, org, space, "bleibt.txt", "bleibt"u8.ToArray());
        Assert.Equal(HttpStatusCode.OK, (await InvitationTests.InviteAsync(browser, owner.OrganizationSlug, Journeys.UniqueEmail("invited"), OrganizationRole.Member)).StatusCode);
        Guid invitation;
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            invitation = await db.Invitations.Select(i => i.Id).SingleAsync(Ct);
        }

        var team = await Tenants.CreateTeamAsync(host, org, "Forms team");
        // A framework in the owner's library, for the framework pages' {id}.
        var catalog = await FrameworkImportTests.WriteAsync(FrameworkImportTests.Catalog("1", ("f-1", "Formular")));
        Assert.Equal(0, await KastellCli.RunAsync(host.Services, ["oscal", "import", catalog, "--organization", owner.OrganizationSlug], TextWriter.Null, Ct));
        Guid framework;
        var (frameworkScope, frameworkDb) = host.OpenDb(org);
        await using (frameworkScope)
        {
            framework = await frameworkDb.Set<Kastell.Server.Features.Frameworks.Framework>().Select(f => f.Id).SingleAsync(Ct);
        }

        // Adopted in the Space, with a control there, for the Space's statement of applicability and control pages.
        var ownerId = await Tenants.UserIdAsync(host, owner.Email);
        await ControlsData.AdoptAsync(host, org, space, ownerId, framework);
        var control = await ControlsData.CreateControlAsync(host, org, space, ownerId, "Bleibt");
        var asset = await Kastell.Server.Tests.Features.Assets.AssetsData.CreateAsync(host, org, space, ownerId, "Bleibt");
        // Evidence submitted by an editor, so that the owner may review it (four eyes) and only the missing token refuses.
        using var editorBrowser = host.CreateBrowser();
        var editor = await Journeys.SignUpAndEnrolAsync(editorBrowser);
        await Tenants.AddMemberAsync(host, org, editor.Email, OrganizationRole.Member, (space, SpaceRole.Editor));
        var evidence = await Kastell.Server.Tests.Features.Evidence.EvidenceData.NoteAsync(host, org, space, await Tenants.UserIdAsync(host, editor.Email), "Bleibt");

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["org"] = owner.OrganizationSlug,
            ["space"] = "forms",
            ["spaceSlug"] = "forms",
            ["userId"] = ownerId.ToString(),
            ["connection"] = Guid.NewGuid().ToString(),
            ["organization"] = Guid.NewGuid().ToString("N"), // the SAML ACS URL names the organization by id
            ["requirement"] = Guid.NewGuid().ToString(),
            ["framework"] = framework.ToString(),
        };
        await browser.GetAsync("/"); // the antiforgery cookie is set, as it is for anyone who used the site
        var before = await DigestAsync();
        var mark = await AuditWatermark.TakeAsync(host);

        var problems = new List<string>();
        var posts = 0;
        foreach (var endpoint in (await AppEndpoint.DiscoverAsync(host)).Where(e => e.AcceptsPost).DistinctBy(e => e.Route))
        {
            // A real target for every id: with the token check gone, the request would act on something.
            values["id"] = endpoint.Route.Contains("/invitations/", StringComparison.Ordinal) ? invitation.ToString()
                : endpoint.Route.Contains("/teams/", StringComparison.Ordinal) ? team.ToString()
                : endpoint.Route.Contains("/frameworks/", StringComparison.Ordinal) ? framework.ToString()
                : endpoint.Route.Contains("/controls/", StringComparison.Ordinal) ? control.ToString()
                : endpoint.Route.Contains("/assets/", StringComparison.Ordinal) ? asset.ToString()
                : endpoint.Route.Contains("/evidence/", StringComparison.Ordinal) ? evidence.ToString()
                : file.Id.ToString();
            var path = endpoint.Path(values);
            if (NoTokenNeeded.ContainsKey(path) || NoTokenNeeded.ContainsKey(endpoint.Route))
            {
                continue;
            }

            foreach (var form in endpoint.FormNames.DefaultIfEmpty(""))
            {
                using var content = new MultipartFormDataContent
                {
                    { new StringContent(form), "_handler" },
                    { new StringContent("forged"), "Input.Name" },
                    { new ByteArrayContent("forged"u8.ToArray()), "File", "forged.txt" },
                };
                HttpResponseMessage response;
                try
                {
                    response = await browser.Client.PostAsync(path, content, Ct);
                }
                catch (InvalidOperationException crash) when (CrashesInsteadOf400.ContainsKey(path) && crash.Message.Contains("invalid anti-forgery token", StringComparison.Ordinal))
                {
                    continue; // known, see CrashesInsteadOf400; the digest below still shows that nothing changed
                }
                catch (InvalidOperationException crash)
                {
                    // The in-memory server passes on what the error page could not handle: in production a 500.
                    problems.Add($"POST {path} (form '{form}') without a token crashed the server: {crash.Message}");
                    continue;
                }

                using var _ = response;
                posts++;
                if (CrashesInsteadOf400.ContainsKey(path))
                {
                    problems.Add($"POST {path} no longer crashes (it answered {(int)response.StatusCode}): remove it from {nameof(CrashesInsteadOf400)}.");
                }
                else if (endpoint.Route.StartsWith("/api/", StringComparison.Ordinal))
                {
                    // The HTTP API never reads cookies: the signed-in browser's post is anonymous there.
                    if (response.StatusCode != HttpStatusCode.Unauthorized)
                    {
                        problems.Add($"POST {path} with cookies only answered {(int)response.StatusCode}, not 401.");
                    }
                }
                else if (response.StatusCode != HttpStatusCode.BadRequest)
                {
                    problems.Add($"POST {path} (form '{form}') without a token answered {(int)response.StatusCode} {TestBrowser.LocationOf(response)}, not 400.");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.True(posts > 15, $"only {posts} posts: the endpoint discovery found too little");
        Assert.Equal(before, await DigestAsync());
        // (The watermark settles members' security-event copies, ADR 0017: those of the arranging sign-ins are before it.)
        var written = (await mark.NewEventsAsync()).Select(e => e.Type).Distinct().ToList();
        Assert.All(written, type => Assert.Equal(AuthorizationEvents.AuthorizationDenied, type)); // refusals only, no change was recorded
        Assert.True(await Tenants.FileExistsAsync(host, org, file.Id));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/o/{owner.OrganizationSlug}")).StatusCode); // not signed out either
    }

    /// <summary>A SHA-256 over every row of every table of the model (but <see cref="NotCompared"/>), read with raw SQL.</summary>
    private async Task<string> DigestAsync()
    {
        List<string> tables;
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            tables = [.. db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct().Where(t => !NotCompared.Contains(t)).Order(StringComparer.Ordinal)];
        }

        await using var connection = await RawDatabase.OpenAsync(host);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY rowid";
            await using var reader = await command.ExecuteReaderAsync(Ct);
            hash.AppendData(Encoding.UTF8.GetBytes("\n#" + table));
            while (await reader.ReadAsync(Ct))
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    hash.AppendData(Encoding.UTF8.GetBytes("|" + (value is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture))));
                }
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
