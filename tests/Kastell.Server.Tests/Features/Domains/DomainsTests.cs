using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Kastell.Server.Features.Domains;
using Kastell.Server.Features.Domains.Checking;
using Kastell.Server.Features.Domains.Discovery;
using Kastell.Server.Features.Domains.Manage;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Platform.Audit;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Features.Domains;

/// <summary>
/// Verified domains against a real DNS server (dnsmasq on a loopback port): added on the page, proven by the TXT record,
/// failed without it, unverified by the re-check once it disappears, refused to a second organization, found by the
/// e-mail lookup; internationalized names; resolvers down — on each provider.
/// </summary>
public abstract partial class DomainsTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Dnsmasq Dns => ((IDnsHost)host).Dns;

    [Fact]
    public async Task Owner_AddsADomain_PublishesTheRecord_AndVerifiesIt_ThenTheLookupFindsTheOrganization()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var name = UniqueName();
        var mark = await AuditWatermark.TakeAsync(host);

        var page = await org.Owner.Browser.GetAsync(PagePath(org));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("data-testid=\"domains-empty\"", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("e-mail domain below", org.Owner.Browser.LastPage, StringComparison.Ordinal);

        var domain = await AddOnPageAsync(org.Owner, org, "  " + name.ToUpperInvariant() + ". ");
        Assert.Equal(name, domain.Name);
        Assert.Equal(DomainState.Pending, domain.State);
        Assert.Matches("^kastell-verification=[A-Za-z0-9_-]{43}$", domain.Challenge);
        Assert.Contains($"{name} has been added.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains($"_kastell-challenge.{name}", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains(domain.Challenge, org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains("data-copy=\"record-value-", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Null(await LookupAsync("anna@" + name));

        Dns.Publish($"_kastell-challenge.{name}", domain.Challenge);
        var message = await VerifyOnPageAsync(org.Owner, org, domain.Id);
        Assert.Equal($"{name} is verified.", message);

        var stored = await DomainAsync(org.Id, name);
        Assert.Equal(DomainState.Verified, stored!.State);
        Assert.NotNull(stored.VerifiedAt);
        Assert.NotNull(stored.LastCheckedAt);
        Assert.Equal(new DomainOwner(org.Id, name), await LookupAsync("Anna.Schmidt@" + name.ToUpperInvariant()));
        Assert.Null(await LookupAsync("anna@mail." + name)); // a subdomain is not the verified domain
        Assert.Null(await LookupAsync("anna@" + UniqueName()));
        Assert.Null(await LookupAsync("not an address"));

        var events = await mark.NewEventsAsync();
        Assert.Contains(events, e => e.Type == DomainEvents.DomainAdded && e.TargetId == domain.Id.ToString() && e.ActorId == org.Owner.Id.ToString());
        Assert.Contains(events, e => e.Type == DomainEvents.DomainVerified && e.TargetId == domain.Id.ToString());
    }

    [Fact]
    public async Task Verify_WithoutTheRecord_OrWithAnotherValue_Fails_AndSaysSo()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var name = UniqueName();
        var domain = await AddOnPageAsync(org.Owner, org, name);
        var mark = await AuditWatermark.TakeAsync(host);

        Assert.StartsWith($"The TXT record for {name} was not found.", await VerifyOnPageAsync(org.Owner, org, domain.Id), StringComparison.Ordinal);
        Dns.Publish($"_kastell-challenge.{name}", "kastell-verification=someone-elses-value");
        Dns.Publish($"_kastell-challenge.other-{name}", domain.Challenge); // the right value at the wrong name
        Assert.StartsWith($"The TXT record for {name} was not found.", await VerifyOnPageAsync(org.Owner, org, domain.Id), StringComparison.Ordinal);

        var stored = await DomainAsync(org.Id, name);
        Assert.Equal(DomainState.Failed, stored!.State);
        Assert.Equal(DomainProblem.RecordMissing, stored.Problem);
        Assert.Null(stored.VerifiedAt);
        Assert.Null(await RegistryAsync(name));
        Assert.Contains("Failed", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        var failures = (await mark.NewEventsAsync()).Where(e => e.Type == DomainEvents.DomainVerificationFailed).ToList();
        Assert.Equal(2, failures.Count);
        Assert.All(failures, e => Assert.Equal(AuditOutcome.Failed, e.Outcome));

        // Publishing it (beside the wrong value: several TXT records at one name are normal) verifies it after all.
        Dns.Publish($"_kastell-challenge.{name}", domain.Challenge);
        Assert.Equal($"{name} is verified.", await VerifyOnPageAsync(org.Owner, org, domain.Id));
    }

    [Fact]
    public async Task TheRecheck_GoesOnPastADomainWhoseNameServersFail_AndStillUnverifiesALaterOne()
    {
        // The first version stopped the whole pass at the first unanswered lookup: a holder whose own name servers
        // fail kept every domain checked after theirs verified for good.
        await using var org = await OrganizationFixture.CreateAsync(host);
        var failing = await AddAndVerifyAsync(org, UniqueName());
        var lost = await AddAndVerifyAsync(org, UniqueName());
        Dns.Break($"_kastell-challenge.{failing.Name}");
        Dns.Withdraw($"_kastell-challenge.{lost.Name}");

        var pass = await host.Services.GetRequiredService<DomainRecheckJob>().RunOnceAsync(Ct);

        Assert.True(pass.Unreachable >= 1 && pass.Lost >= 1, pass.ToString());
        Assert.Equal(DomainState.Verified, (await DomainAsync(org.Id, failing.Name))!.State); // unanswered: nothing changes
        Assert.Equal(DomainState.Failed, (await DomainAsync(org.Id, lost.Name))!.State);

        // Gone again, so later passes of this host's other tests meet no unanswered domain.
        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(org.Id, AuditActor.System("test"));
        Assert.True((await scope.Get<DomainCommands>().RemoveAsync(failing.Id, AuditActor.System("test"), Ct)).Succeeded);
    }

    [Fact]
    public async Task TheRecheck_UnverifiesADomain_WhoseRecordDisappeared_AndKeepsTheOthers()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var kept = await AddAndVerifyAsync(org, UniqueName());
        var lost = await AddAndVerifyAsync(org, UniqueName());
        var mark = await AuditWatermark.TakeAsync(host);

        Dns.Withdraw($"_kastell-challenge.{lost.Name}");
        var pass = await host.Services.GetRequiredService<DomainRecheckJob>().RunOnceAsync(Ct);

        Assert.True(pass.Lost >= 1 && pass.Unreachable == 0, pass.ToString());
        Assert.Equal(DomainState.Verified, (await DomainAsync(org.Id, kept.Name))!.State);
        var after = await DomainAsync(org.Id, lost.Name);
        Assert.Equal(DomainState.Failed, after!.State);
        Assert.Equal(DomainProblem.RecordMissing, after.Problem);
        Assert.Null(await RegistryAsync(lost.Name));
        Assert.Null(await LookupAsync("anna@" + lost.Name));
        Assert.NotNull(await LookupAsync("anna@" + kept.Name));
        var events = await mark.NewEventsAsync();
        var lostEvent = Assert.Single(events, e => e.Type == DomainEvents.DomainVerificationLost);
        Assert.Equal(lost.Id.ToString(), lostEvent.TargetId);
        Assert.Equal(AuditActorKind.System, lostEvent.ActorKind);
        Assert.Equal("domain-recheck", lostEvent.ActorId);
        Assert.DoesNotContain(events, e => e.Type == DomainEvents.DomainVerificationLost && e.TargetId == kept.Id.ToString());
    }

    [Fact]
    public async Task ASecondOrganization_CannotClaimAVerifiedDomain_NorVerifyItsPendingClaim_AndNothingChanges()
    {
        await using var first = await OrganizationFixture.CreateAsync(host);
        await using var second = await OrganizationFixture.CreateAsync(host);
        var name = UniqueName();

        // Before anyone proved it, a second organization may hold a pending claim (with its own value): a claim alone
        // must not let anyone block the real holder (ADR 0021).
        var pending = await AddOnPageAsync(second.Owner, second, name);
        var verified = await AddAndVerifyAsync(first, name);
        Assert.NotEqual(pending.Challenge, verified.Challenge);
        Dns.Publish($"_kastell-challenge.{name}", pending.Challenge); // even with its record published
        var mark = await AuditWatermark.TakeAsync(host);

        Assert.Equal("Another organization has already verified this domain. A domain belongs to one organization only; nothing was changed.",
            await VerifyOnPageAsync(second.Owner, second, pending.Id));
        var unchanged = await DomainAsync(second.Id, name);
        Assert.Equal(DomainState.Pending, unchanged!.State);
        Assert.Null(unchanged.LastCheckedAt);

        // A third organization cannot even add it: nothing is created.
        await using var third = await OrganizationFixture.CreateAsync(host);
        var refused = await third.Owner.Browser.SubmitAsync(PagePath(third), "add-domain", new Dictionary<string, string> { ["Input.Name"] = name });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Another organization has already verified this domain.", third.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Null(await DomainAsync(third.Id, name));

        // In German too.
        await third.Owner.Browser.PostAsync("/culture", new Dictionary<string, string> { ["__RequestVerificationToken"] = third.Owner.Browser.AnyAntiforgeryToken(), ["culture"] = "de", ["returnUrl"] = PagePath(third) });
        await third.Owner.Browser.SubmitAsync(PagePath(third), "add-domain", new Dictionary<string, string> { ["Input.Name"] = name });
        Assert.Contains("Eine andere Organisation hat diese Domain bereits verifiziert.", third.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Null(await DomainAsync(third.Id, name));

        Assert.Equal(new DomainOwner(first.Id, name), await LookupAsync("anna@" + name));
        var registry = await RegistryAsync(name);
        Assert.Equal(first.Id, registry!.OrganizationId);
        var refusals = (await mark.NewEventsAsync()).Where(e => e.Type == DomainEvents.DomainClaimRefused).ToList();
        Assert.Equal(3, refusals.Count);
        Assert.All(refusals, e => Assert.Equal(AuditOutcome.Denied, e.Outcome));
        Assert.All(refusals, e => Assert.DoesNotContain(first.Id.ToString(), e.Details ?? "", StringComparison.Ordinal));

        // Once the first organization removes it, the second can verify its claim.
        Assert.Null((await first.AsAsync<DomainCommands, Result>(first.Owner.Id, c => c.RemoveAsync(verified.Id, AuditActor.User(first.Owner.Id), Ct))).Failure);
        Assert.Equal($"{name} is verified.", await VerifyOnPageAsync(second.Owner, second, pending.Id));
        Assert.Equal(second.Id, (await LookupAsync("anna@" + name))!.OrganizationId);
    }

    [Fact]
    public async Task TheRegistry_KeepsOneHolderPerName_EvenWhenTheCheckIsRaced()
    {
        // Two organizations whose checks both passed before either wrote: the primary key on the name decides.
        await using var first = await OrganizationFixture.CreateAsync(host);
        await using var second = await OrganizationFixture.CreateAsync(host);
        var name = UniqueName();
        var loser = await AddOnPageAsync(second.Owner, second, name);
        var winner = await AddAndVerifyAsync(first, name);

        var (scope, db) = host.OpenDb(second.Id);
        await using (scope)
        {
            db.Add(new VerifiedDomainName { Name = name, OrganizationId = second.Id, DomainId = loser.Id, VerifiedAt = DateTimeOffset.UtcNow });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));
        }

        Assert.Equal(first.Id, (await RegistryAsync(name))!.OrganizationId);
        Assert.Equal(winner.Id, (await RegistryAsync(name))!.DomainId);
    }

    [Fact]
    public async Task AnInternationalizedName_IsStoredAsItsALabel_VerifiedThere_AndShownInUnicode()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var unicode = "bücher-" + Suffix() + ".example";
        var ascii = new IdnMapping().GetAscii(unicode);
        Assert.StartsWith("xn--", ascii, StringComparison.Ordinal);

        var domain = await AddOnPageAsync(org.Owner, org, unicode.ToUpperInvariant());
        Assert.Equal(ascii, domain.Name);
        Assert.Contains(unicode, org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Contains($"_kastell-challenge.{ascii}", org.Owner.Browser.LastPage, StringComparison.Ordinal);

        Dns.Publish($"_kastell-challenge.{ascii}", domain.Challenge);
        Assert.Equal($"{unicode} is verified.", await VerifyOnPageAsync(org.Owner, org, domain.Id));
        Assert.Equal(org.Id, (await LookupAsync("anna@" + unicode))!.OrganizationId);
        Assert.Equal(org.Id, (await LookupAsync("anna@" + ascii))!.OrganizationId);

        // The same domain typed the other way is the same domain.
        var again = await org.AsAsync<DomainCommands, Result<OrganizationDomain>>(org.Owner.Id, c => c.AddAsync(ascii, AuditActor.User(org.Owner.Id), Ct));
        Assert.Equal(DomainsErrors.AlreadyAdded, again.Failure);
    }

    [Theory]
    [InlineData("", "domain.name-invalid")]
    [InlineData("192.0.2.1", "domain.name-invalid")]
    [InlineData("anna@example.org", "domain.name-invalid")]
    [InlineData("https://example.org", "domain.name-invalid")]
    [InlineData("localhost", "domain.name-invalid")]
    [InlineData("co.uk", "domain.public-suffix")]
    [InlineData("github.io", "domain.public-suffix")]
    public async Task BadInput_OnThePage_IsRefusedWithAClearMessage_AndNothingIsCreated(string input, string code)
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var mark = await AuditWatermark.TakeAsync(host);

        var response = await org.Owner.Browser.SubmitAsync(PagePath(org), "add-domain", new Dictionary<string, string> { ["Input.Name"] = input });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var expected = code switch
        {
            "domain.public-suffix" => "This is a public suffix (such as com or co.uk)",
            _ when input.Length == 0 => "is required",
            _ => "This is not a domain name that can be verified",
        };
        Assert.Contains(expected, org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(org.Id));
        Assert.DoesNotContain(await mark.NewEventsAsync(), e => e.Type == DomainEvents.DomainAdded);
    }

    [Fact]
    public async Task WhenTheResolversAreDown_ACheckSaysSo_AndNothingChanges_NotEvenAVerifiedDomain()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var verified = await AddAndVerifyAsync(org, UniqueName());
        var pending = await AddOnPageAsync(org.Owner, org, UniqueName());
        var before = await DomainAsync(org.Id, verified.Name);
        var mark = await AuditWatermark.TakeAsync(host);

        Dns.Stop();
        try
        {
            Assert.Equal("Kastell could not reach its DNS servers, so the domain was not checked and nothing was changed. Please try again later.",
                await VerifyOnPageAsync(org.Owner, org, pending.Id));
            var pass = await host.Services.GetRequiredService<DomainRecheckJob>().RunOnceAsync(Ct);
            Assert.Equal(0, pass.Lost);
            Assert.True(pass.Unreachable >= 1, pass.ToString());

            using var output = new StringWriter();
            Assert.Equal(1, await KastellCli.RunAsync(host.Services, ["domain", "verify", "--organization", org.Slug, pending.Name], output, Ct));
            Assert.Contains("no DNS resolver answered", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Dns.Start();
        }

        Assert.Equal(DomainState.Pending, (await DomainAsync(org.Id, pending.Name))!.State);
        Assert.Null((await DomainAsync(org.Id, pending.Name))!.LastCheckedAt);
        var after = await DomainAsync(org.Id, verified.Name);
        Assert.Equal(DomainState.Verified, after!.State);
        Assert.Equal(before!.LastCheckedAt, after.LastCheckedAt);
        Assert.NotNull(await RegistryAsync(verified.Name));
        Assert.DoesNotContain(await mark.NewEventsAsync(), e => e.Type.Value is >= 5050 and <= 5099);
    }

    [Fact]
    public async Task TheCommandLine_AddsListsVerifiesAndRemoves()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var name = UniqueName();

        var (code, output) = await CliAsync("domain", "add", "--organization", org.Slug, name);
        Assert.True(code == 0, output);
        var challenge = ChallengeValue().Match(output).Value;
        Assert.Contains($"_kastell-challenge.{name}. IN TXT \"{challenge}\"", output, StringComparison.Ordinal);

        (code, output) = await CliAsync("domain", "verify", "--organization", org.Slug, name);
        Assert.Equal(1, code);
        Assert.Contains("the TXT record was not found", output, StringComparison.Ordinal);

        Dns.Publish($"_kastell-challenge.{name}", challenge);
        (code, output) = await CliAsync("domain", "verify", "--organization", org.Slug, name);
        Assert.True(code == 0, output);
        (code, output) = await CliAsync("domain", "list", "--organization", org.Slug);
        Assert.Contains($"{name}  verified", output, StringComparison.Ordinal);

        (code, output) = await CliAsync("domain", "add", "--organization", org.Slug, "co.uk");
        Assert.Equal(1, code);
        Assert.Contains("domain.public-suffix", output, StringComparison.Ordinal);
        (code, _) = await CliAsync("domain", "verify", "--organization", "no-such-org-" + Suffix(), name);
        Assert.Equal(2, code);
        (code, _) = await CliAsync("domain", "verify", "--organization", org.Slug, "unknown-" + name);
        Assert.Equal(2, code);

        (code, output) = await CliAsync("domain", "remove", "--organization", org.Slug, name);
        Assert.True(code == 0, output);
        Assert.Null(await DomainAsync(org.Id, name));
        Assert.Null(await RegistryAsync(name));
    }

    [Fact]
    public async Task AnOwnerRemovesADomain_OnThePage_AndItLeavesTheRegistry()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var domain = await AddAndVerifyAsync(org, UniqueName());
        var mark = await AuditWatermark.TakeAsync(host);

        var removed = await org.Owner.Browser.PostFromAsync(PagePath(org), $"{PagePath(org)}/{domain.Id}/remove");
        Assert.Equal($"{PagePath(org)}?removed=1", TestBrowser.LocationOf(removed));
        await org.Owner.Browser.GetAsync(TestBrowser.LocationOf(removed)!);
        Assert.Contains("The domain has been removed.", org.Owner.Browser.LastPage, StringComparison.Ordinal);
        Assert.Null(await DomainAsync(org.Id, domain.Name));
        Assert.Null(await RegistryAsync(domain.Name));
        Assert.Contains(await mark.NewEventsAsync(), e => e.Type == DomainEvents.DomainRemoved && e.TargetId == domain.Id.ToString());
    }

    [Fact]
    public async Task OthersAreRefused_Anonymous_AMember_AnotherOrganizationsOwner_AndNothingChanges()
    {
        await using var org = await OrganizationFixture.CreateAsync(host);
        var domain = await AddOnPageAsync(org.Owner, org, UniqueName());
        Dns.Publish($"_kastell-challenge.{domain.Name}", domain.Challenge);
        var member = await org.JoinAsync(OrganizationRole.Member);
        var auditor = await org.JoinAsync(OrganizationRole.Auditor);
        await using var other = await OrganizationFixture.CreateAsync(host);

        using (var anonymous = host.CreateBrowser())
        {
            Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync(PagePath(org))).StatusCode);
            Assert.Contains("/account/sign-in", TestBrowser.LocationOf(await anonymous.GetAsync(PagePath(org))) ?? "", StringComparison.Ordinal);
        }

        foreach (var person in new[] { member, auditor })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await person.Browser.GetAsync(PagePath(org))).StatusCode);
            await person.Browser.GetAsync($"/o/{org.Slug}");
            Assert.DoesNotContain("/settings/domains", person.Browser.LastPage, StringComparison.Ordinal);
            var verify = await person.Browser.PostAsync($"{PagePath(org)}/{domain.Id}/verify", new Dictionary<string, string> { ["__RequestVerificationToken"] = person.Browser.AnyAntiforgeryToken() });
            Assert.Equal(HttpStatusCode.Forbidden, verify.StatusCode);
            var remove = await person.Browser.PostAsync($"{PagePath(org)}/{domain.Id}/remove", new Dictionary<string, string> { ["__RequestVerificationToken"] = person.Browser.AnyAntiforgeryToken() });
            Assert.Equal(HttpStatusCode.Forbidden, remove.StatusCode);
            var add = await org.AsAsync<DomainCommands, Result<OrganizationDomain>>(person.Id, c => c.AddAsync(UniqueName(), AuditActor.User(person.Id), Ct));
            Assert.Equal(Failures.NotAllowed, add.Failure);
        }

        // Another organization's owner: not even the page of this organization, and this organization's domain is not found in theirs.
        Assert.Equal(HttpStatusCode.NotFound, (await other.Owner.Browser.GetAsync(PagePath(org))).StatusCode);
        await other.Owner.Browser.GetAsync(PagePath(other));
        var foreign = await other.Owner.Browser.PostAsync($"{PagePath(other)}/{domain.Id}/verify", new Dictionary<string, string> { ["__RequestVerificationToken"] = other.Owner.Browser.AnyAntiforgeryToken() });
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        var foreignRemove = await other.Owner.Browser.PostAsync($"{PagePath(other)}/{domain.Id}/remove", new Dictionary<string, string> { ["__RequestVerificationToken"] = other.Owner.Browser.AnyAntiforgeryToken() });
        Assert.Equal(HttpStatusCode.NotFound, foreignRemove.StatusCode);

        // A forged post without the antiforgery token.
        var forged = await org.Owner.Browser.PostWithoutTokenAsync($"{PagePath(org)}/{domain.Id}/verify");
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        var stored = await DomainAsync(org.Id, domain.Name);
        Assert.Equal(DomainState.Pending, stored!.State);
        Assert.Null(stored.LastCheckedAt);

        // An admin may.
        var admin = await org.JoinAsync(OrganizationRole.Admin);
        Assert.Equal($"{domain.Name} is verified.", await VerifyOnPageAsync(admin, org, domain.Id));
    }

    internal static string PagePath(OrganizationFixture org) => $"/o/{org.Slug}/settings/domains";

    internal static string UniqueName() => $"d{Suffix()}.example.test";

    private static string Suffix() => Guid.NewGuid().ToString("N")[..12];

    private async Task<(int Code, string Output)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        var code = await KastellCli.RunAsync(host.Services, args, output, Ct);
        return (code, output.ToString());
    }

    private async Task<OrganizationDomain> AddOnPageAsync(Person person, OrganizationFixture org, string name)
    {
        var response = await person.Browser.SubmitAsync(PagePath(org), "add-domain", new Dictionary<string, string> { ["Input.Name"] = name });
        var location = TestBrowser.LocationOf(response);
        Assert.True(location is not null, $"Adding {name} answered {(int)response.StatusCode}: {Alert(person.Browser.LastPage)}");
        var id = Guid.Parse(AddedId().Match(location).Groups[1].Value);
        await person.Browser.GetAsync(location);
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            return await db.Set<OrganizationDomain>().AsNoTracking().SingleAsync(d => d.Id == id, Ct);
        }
    }

    private async Task<OrganizationDomain> AddAndVerifyAsync(OrganizationFixture org, string name)
    {
        var domain = await AddOnPageAsync(org.Owner, org, name);
        Dns.Publish($"_kastell-challenge.{domain.Name}", domain.Challenge);
        Assert.Equal($"{name} is verified.", await VerifyOnPageAsync(org.Owner, org, domain.Id));
        return (await DomainAsync(org.Id, domain.Name))!;
    }

    /// <summary>Presses "Verify now" and returns the message the page shows afterwards.</summary>
    private static async Task<string> VerifyOnPageAsync(Person person, OrganizationFixture org, Guid id)
    {
        var response = await person.Browser.PostFromAsync(PagePath(org), $"{PagePath(org)}/{id}/verify");
        var location = TestBrowser.LocationOf(response);
        Assert.True(location is not null, $"Verify answered {(int)response.StatusCode}");
        await person.Browser.GetAsync(location);
        return Alert(person.Browser.LastPage) ?? "(no message)";
    }

    private static string? Alert(string? page) =>
        page is not null && Message().Match(page) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;

    private async Task<OrganizationDomain?> DomainAsync(Guid organization, string name)
    {
        var (scope, db) = host.OpenDb(organization);
        await using (scope)
        {
            return await db.Set<OrganizationDomain>().AsNoTracking().SingleOrDefaultAsync(d => d.Name == name, Ct);
        }
    }

    private async Task<int> CountAsync(Guid organization)
    {
        var (scope, db) = host.OpenDb(organization);
        await using (scope)
        {
            return await db.Set<OrganizationDomain>().CountAsync(Ct);
        }
    }

    /// <summary>The registry row, read outside every tenant (as home-realm discovery reads it).</summary>
    private async Task<VerifiedDomainName?> RegistryAsync(string name)
    {
        var (scope, db) = host.OpenDb();
        await using (scope)
        {
            return await db.Set<VerifiedDomainName>().AsNoTracking().SingleOrDefaultAsync(v => v.Name == name, Ct);
        }
    }

    /// <summary>The lookup as home-realm discovery uses it: before sign-in, outside every tenant.</summary>
    private async Task<DomainOwner?> LookupAsync(string email)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DomainOwnerLookup>().FindAsync(email, Ct);
    }

    [GeneratedRegex("added=([0-9a-f-]{36})")]
    private static partial Regex AddedId();

    [GeneratedRegex("kastell-verification=[A-Za-z0-9_-]{43}")]
    private static partial Regex ChallengeValue();

    [GeneratedRegex("data-testid=\"domain-message\">([^<]*)<")]
    private static partial Regex Message();
}

public sealed class DomainsTestsOnSqlite(DomainsSqliteHost host) : DomainsTests(host), IClassFixture<DomainsSqliteHost>;

public sealed class DomainsTestsOnPostgres(DomainsPostgresHost host) : DomainsTests(host), IClassFixture<DomainsPostgresHost>;
