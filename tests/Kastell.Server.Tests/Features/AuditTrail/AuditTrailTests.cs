using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kastell.Server.Features.AuditTrail;
using Kastell.Server.Features.Organizations;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Features.Organizations;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.AuditTrail;

/// <summary>The audit page and its exports: who may see them, filtering and paging, export formats, the chain indicator.</summary>
public abstract partial class AuditTrailTests(KastellHost host)
{
    private const string InviteSubject = "You have been invited";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Owner_SeesTheIntactChain_FiltersAndPages()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        var org = await OrganizationIdAsync(owner.OrganizationSlug);
        await RecordAsync(org, 60, i => new(OrganizationEvents.SpaceCreated, AuditActor.System("seeder"), new("space", $"seed-{i:D2}")));

        var first = await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains("data-intact=\"true\"", browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(50, Rows(browser.LastPage!).Count);
        Assert.Contains("rel=\"next\"", browser.LastPage, StringComparison.Ordinal);

        var second = await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit?page=2");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.InRange(Rows(browser.LastPage!).Count, 11, 50); // 60 seeded + sign-up's own events
        Assert.Contains("rel=\"prev\"", browser.LastPage, StringComparison.Ordinal);

        await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit?action=OrganizationCreated");
        Assert.Equal(["OrganizationCreated"], Rows(browser.LastPage!).Select(r => r.Type).Distinct());

        await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit?actor={Uri.EscapeDataString(owner.Email)}");
        var byOwner = Rows(browser.LastPage!);
        Assert.NotEmpty(byOwner);
        Assert.DoesNotContain(byOwner, r => r.Type == "SpaceCreated"); // those were the seeder's

        await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit?target=seed-07");
        Assert.Single(Rows(browser.LastPage!));

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit?from={tomorrow}");
        Assert.Empty(Rows(browser.LastPage!));
        await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit?to={yesterday}");
        Assert.Empty(Rows(browser.LastPage!));
        await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit?from={today}&to={today}&action=SpaceCreated");
        Assert.Equal(50, Rows(browser.LastPage!).Count);
    }

    [Theory]
    [InlineData("from=2024-13-01", "From: enter a date as YYYY-MM-DD.")]
    [InlineData("to=yesterday", "To: enter a date as YYYY-MM-DD.")]
    [InlineData("from=2025-02-02&to=2025-02-01", "From must not be after To.")]
    [InlineData("action=1000", "Action: choose one from the list.")]
    [InlineData("action=NoSuchThing", "Action: choose one from the list.")]
    [InlineData("page=0", "Page: a whole number from 1.")]
    [InlineData("page=99999999999999", "Page: a whole number from 1.")]
    [InlineData("actor=%00", "Actor: at most 254 characters, no control characters.")]
    public async Task BadFilter_AnswersWithAClearMessage_NotAnError(string query, string message)
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);

        var page = await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains(WebUtility.HtmlEncode(message), browser.LastPage, StringComparison.Ordinal);
        Assert.Empty(Rows(browser.LastPage!));

        if (!query.StartsWith("page=", StringComparison.Ordinal)) // exports have no pages
        {
            var export = await browser.Client.GetAsync($"/o/{owner.OrganizationSlug}/audit/export.csv?{query}", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, export.StatusCode);
            Assert.Equal("application/problem+json", export.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task CsvExport_DefusesFormulas_AndIsItselfAudited()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        var org = await OrganizationIdAsync(owner.OrganizationSlug);
        await RecordAsync(org, 1, _ => new(OrganizationEvents.SpaceCreated, AuditActor.System("seeder"), new("space", "=HYPERLINK(\"http://evil.test\",\"x\")")));

        var response = await browser.Client.GetAsync($"/o/{owner.OrganizationSlug}/audit/export.csv", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var csv = await response.Content.ReadAsStringAsync(Ct);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("sequence,occurredAt,type,typeId,outcome,actorKind,actorId", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\"", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",\"=", csv, StringComparison.Ordinal);
        Assert.All(lines.Skip(1), l => Assert.StartsWith("\"", l, StringComparison.Ordinal));

        var exported = await EventsAsync(org, AuditTrailEvents.AuditLogExported);
        var e = Assert.Single(exported);
        Assert.Equal(await UserIdAsync(owner.Email), e.ActorId);
        Assert.Contains("\"format\":\"csv\"", e.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonLinesExport_CarriesSequenceAndHashes_AndHonoursTheFilter()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        var org = await OrganizationIdAsync(owner.OrganizationSlug);
        await RecordAsync(org, 3, i => new(OrganizationEvents.SpaceCreated, AuditActor.System("seeder"), new("space", $"s{i}")));

        var response = await browser.Client.GetAsync($"/o/{owner.OrganizationSlug}/audit/export.jsonl?action=SpaceCreated", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var stored = (await EventsAsync(org, OrganizationEvents.SpaceCreated)).OrderBy(x => x.Sequence).ToList();
        for (var i = 0; i < 3; i++)
        {
            using var json = JsonDocument.Parse(lines[i]);
            Assert.Equal(stored[i].Sequence, json.RootElement.GetProperty("sequence").GetInt64());
            Assert.Equal(stored[i].Hash, json.RootElement.GetProperty("hash").GetString());
            Assert.Equal(stored[i].PreviousHash, json.RootElement.GetProperty("previousHash").GetString());
            Assert.Equal("SpaceCreated", json.RootElement.GetProperty("type").GetString());
        }

        Assert.Single(await EventsAsync(org, AuditTrailEvents.AuditLogExported));
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn()
    {
        using var owner = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(owner);
        using var anonymous = host.CreateBrowser();

        foreach (var path in new[] { $"/o/{user.OrganizationSlug}/audit", $"/o/{user.OrganizationSlug}/audit/export.csv" })
        {
            var response = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/sign-in", TestBrowser.LocationOf(response), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OtherTenant_GetsNotFound_AndTheProbeIsAudited()
    {
        using var alice = host.CreateBrowser();
        var a = await Journeys.SignUpAndEnrolAsync(alice);
        using var mallory = host.CreateBrowser();
        var m = await Journeys.SignUpAndEnrolAsync(mallory);
        var unknownSlug = "no-such-org-" + Guid.NewGuid().ToString("N")[..8];

        var mark = await AuditWatermark.TakeAsync(host);
        var page = await mallory.GetAsync($"/o/{a.OrganizationSlug}/audit");
        var export = await mallory.GetAsync($"/o/{a.OrganizationSlug}/audit/export.jsonl");
        var unknown = await mallory.GetAsync($"/o/{unknownSlug}/audit");

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, export.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(TestBrowser.WithoutTokens(await unknown.Content.ReadAsStringAsync(Ct)), TestBrowser.WithoutTokens(await page.Content.ReadAsStringAsync(Ct)));
        var denials = (await mark.NewEventsAsync()).Where(e => e.Type == AuthorizationEvents.AuthorizationDenied).ToList();
        var malloryId = await UserIdAsync(m.Email);
        var aliceOrg = await OrganizationIdAsync(a.OrganizationSlug);
        Assert.Equal(2, denials.Count(d => d.OrganizationId == aliceOrg && d.ActorId == malloryId && d.TargetType == "organization" && d.Details!.Contains("\"permission\":\"can_read\"", StringComparison.Ordinal)));
        Assert.Single(denials, d => d.OrganizationId == null && d.TargetId == unknownSlug && d.Outcome == AuditOutcome.Denied);
        Assert.Empty(await EventsAsync(aliceOrg, AuditTrailEvents.AuditLogExported));
    }

    [Fact]
    public async Task Member_GetsNotFound_ButAnAuditorMayReadAndExport()
    {
        using var ownerBrowser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(ownerBrowser);
        var org = await OrganizationIdAsync(owner.OrganizationSlug);
        using var member = await JoinAsync(ownerBrowser, owner.OrganizationSlug, OrganizationRole.Member);
        using var auditor = await JoinAsync(ownerBrowser, owner.OrganizationSlug, OrganizationRole.Auditor);

        var mark = await AuditWatermark.TakeAsync(host);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync($"/o/{owner.OrganizationSlug}")).StatusCode);
        Assert.DoesNotContain($"/o/{owner.OrganizationSlug}/audit", member.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await member.GetAsync($"/o/{owner.OrganizationSlug}/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await member.GetAsync($"/o/{owner.OrganizationSlug}/audit/export.csv")).StatusCode);
        var denials = (await mark.NewEventsAsync()).Where(e => e.Type == AuthorizationEvents.AuthorizationDenied && e.OrganizationId == org).ToList();
        Assert.Single(denials, d => d.Details!.Contains("\"permission\":\"can_read_audit\"", StringComparison.Ordinal));
        Assert.Single(denials, d => d.Details!.Contains("\"permission\":\"can_export_audit\"", StringComparison.Ordinal));
        Assert.Empty(await EventsAsync(org, AuditTrailEvents.AuditLogExported));

        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync($"/o/{owner.OrganizationSlug}/audit")).StatusCode);
        Assert.Contains("data-intact=\"true\"", auditor.LastPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync($"/o/{owner.OrganizationSlug}/audit/export.jsonl")).StatusCode);
        Assert.Single(await EventsAsync(org, AuditTrailEvents.AuditLogExported));
    }

    [Fact]
    public async Task Indicator_ShowsWhereAForgedEventBreaksTheChain()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        var org = await OrganizationIdAsync(owner.OrganizationSlug);
        // The owner's security-event copies (ADR 0017) first: one written after the forged event would take its number.
        await AuditWatermark.SettleMemberEventCopiesAsync(host);
        var tail = (await EventsAsync(org, null)).Max(e => e.Sequence);
        await ForgeAfterTailAsync(org, tail);

        await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit");
        Assert.Contains("data-intact=\"false\"", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains($"it breaks at event #{tail + 1}", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("an event was changed after it was written", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_SpeaksGerman()
    {
        using var browser = host.CreateBrowser();
        var owner = await Journeys.SignUpAndEnrolAsync(browser);
        await browser.GetAsync($"/o/{owner.OrganizationSlug}");
        await browser.PostAsync("/culture", new Dictionary<string, string>
        {
            ["culture"] = "de",
            ["returnUrl"] = "/",
            ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(),
        });

        await browser.GetAsync($"/o/{owner.OrganizationSlug}/audit");
        Assert.Contains("Audit-Protokoll", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("Die Audit-Kette ist intakt", browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("Organisation angelegt", browser.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryEventTypeAndProblemKind_HasATextInBothLanguages()
    {
        var keys = AuditEventCatalog.All.Select(t => "AuditEvent" + t.Name)
            .Concat(Enum.GetNames<AuditProblemKind>().Select(n => "AuditProblem" + n))
            .Concat(Enum.GetNames<AuditOutcome>().Select(n => "AuditOutcome" + n))
            .Concat(Enum.GetNames<AuditActorKind>().Select(n => "AuditActorKind" + n));
        // Every key has both texts, or loading the tables fails; what is checked here is that each key exists.
        var texts = new Kastell.Server.Platform.Localization.TsvStringLocalizer().Texts;
        Assert.All(keys, k => Assert.True(texts.ContainsKey(k), $"{k} has no text"));
    }

    private async Task<TestBrowser> JoinAsync(TestBrowser ownerBrowser, string slug, OrganizationRole role)
    {
        var email = Journeys.UniqueEmail(role.ToString().ToLowerInvariant());
        await InvitationTests.InviteAsync(ownerBrowser, slug, email, role);
        var link = Mails.LinkTo(await Mails.WaitAsync(host, email, InviteSubject), "/invitations/accept");
        var browser = host.CreateBrowser();
        await InvitationTests.SignUpThroughAsync(browser, link);
        await Journeys.EnrolAsync(browser);
        return browser;
    }

    /// <summary>Appends a row after the tail with content that does not match its hash, as someone with database access could.</summary>
    private async Task ForgeAfterTailAsync(Guid org, long tail)
    {
        var sqlite = host.Provider == "Sqlite";
        string Literal(Guid id) => sqlite ? $"'{id.ToString().ToUpperInvariant()}'" : $"'{id}'";
        const string columns = "\"HashVersion\", \"OrganizationId\", \"OccurredAt\", \"Type\", \"Outcome\", \"ActorKind\", \"ActorId\", \"SpaceId\", \"TargetType\", \"TargetId\", \"ClientIp\", \"UserAgent\", \"CorrelationId\", \"PreviousHash\", \"Hash\"";
        var sql = $"INSERT INTO \"AuditEvents\" (\"Id\", \"Sequence\", \"Details\", {columns}) " +
            $"SELECT {Literal(Guid.NewGuid())}, {tail + 1}, '{{\"forged\":\"yes\"}}', {columns} FROM \"AuditEvents\" " +
            $"WHERE \"OrganizationId\" = {Literal(org)} AND \"Sequence\" = {tail}";
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            Assert.Equal(1, await db.Database.ExecuteSqlRawAsync(sql.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal), Ct));
        }
    }

    private async Task RecordAsync(Guid org, int count, Func<int, AuditEntry> entry)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Tenant>().Enter(org);
        var audit = scope.ServiceProvider.GetRequiredService<IAuditLog>();
        for (var i = 0; i < count; i++)
        {
            audit.Record(entry(i));
        }

        await audit.FlushAsync(Ct);
    }

    private async Task<List<AuditEvent>> EventsAsync(Guid org, AuditEventType? type)
    {
        var (scope, db) = host.OpenDb(org);
        await using (scope)
        {
            return await db.AuditEvents.AsNoTracking().Where(e => e.OrganizationId == org && (type == null || e.Type == type)).ToListAsync(Ct);
        }
    }

    private async Task<Guid> OrganizationIdAsync(string slug)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Organizations.Where(o => o.Slug == slug).Select(o => o.Id).SingleAsync(Ct);
        }
    }

    private async Task<string> UserIdAsync(string email)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return (await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct)).ToString();
        }
    }

    private sealed record Row(string Type);

    private static List<Row> Rows(string page) => [.. EventRow().Matches(page).Select(m => new Row(m.Groups[1].Value))];

    [GeneratedRegex("data-testid=\"audit-event\" data-type=\"([A-Za-z]+)\"")]
    private static partial Regex EventRow();
}

public sealed class AuditTrailTestsOnSqlite(SqliteHost host) : AuditTrailTests(host), IClassFixture<SqliteHost>;

public sealed class AuditTrailTestsOnPostgres(PostgresHost host) : AuditTrailTests(host), IClassFixture<PostgresHost>;
