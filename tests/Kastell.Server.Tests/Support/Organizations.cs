using Kastell.Authorization.Storage.EntityFramework;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Support;

/// <summary>A signed-in person with their browser, and their id.</summary>
public sealed record Person(EnrolledUser User, TestBrowser Browser, Guid Id) : IDisposable
{
    public void Dispose() => Browser.Dispose();
}

/// <summary>
/// An organization with people in it, for the members, teams and access tests: an owner who signed up with it, and
/// others who signed up elsewhere and were made members with a role. Commands can be run as any of them.
/// </summary>
public sealed class OrganizationFixture(KastellHost host, Person owner, Guid id) : IAsyncDisposable
{
    private readonly List<Person> _people = [owner];

    public Person Owner => owner;

    public Guid Id => id;

    public string Slug => owner.User.OrganizationSlug;

    public static async Task<OrganizationFixture> CreateAsync(KastellHost host)
    {
        var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        var owner = new Person(user, browser, await Tenants.UserIdAsync(host, user.Email));
        return new OrganizationFixture(host, owner, await Tenants.OrganizationIdAsync(host, user.OrganizationSlug));
    }

    /// <summary>Someone who signed up elsewhere, made a member of this organization with <paramref name="role"/>.</summary>
    public async Task<Person> JoinAsync(OrganizationRole role, (Guid Space, SpaceRole Role)? spaceRole = null)
    {
        var browser = host.CreateBrowser();
        var user = await Journeys.SignUpAndEnrolAsync(browser);
        await Tenants.AddMemberAsync(host, id, user.Email, role, spaceRole);
        var person = new Person(user, browser, await Tenants.UserIdAsync(host, user.Email));
        _people.Add(person);
        return person;
    }

    /// <summary>Runs a command as <paramref name="actor"/> in this organization (and Space), as a request would.</summary>
    public async Task<T> AsAsync<TCommand, T>(Guid actor, Func<TCommand, Task<T>> run, Guid? space = null)
        where TCommand : notnull
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KastellDbContext>();
        var tenant = scope.ServiceProvider.GetRequiredService<Tenant>();
        tenant.Enter(id);
        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == id, TestContext.Current.CancellationToken);
        var spaceRow = space is { } s ? await db.Spaces.AsNoTracking().SingleAsync(x => x.Id == s, TestContext.Current.CancellationToken) : null;
        tenant.Resolve(organization, spaceRow);
        scope.ServiceProvider.GetRequiredService<CurrentActor>().ActAs(AuditActor.User(actor));
        return await run(scope.ServiceProvider.GetRequiredService<TCommand>());
    }

    /// <summary>The organization's tuples as <c>object#relation@user</c>, sorted.</summary>
    public async Task<List<string>> TuplesAsync()
    {
        var (scope, db) = host.OpenDb(id);
        await using (scope)
        {
            var store = Permissions.StoreId(id);
            return [.. (await db.Set<TupleEntity>().AsNoTracking().Where(t => t.StoreId == store).Select(t => new { t.Object, t.Relation, t.User }).ToListAsync(TestContext.Current.CancellationToken))
                .Select(t => $"{t.Object}#{t.Relation}@{t.User}").Order(StringComparer.Ordinal)];
        }
    }

    /// <summary><c>authz drift</c> for this organization only: exit code and output.</summary>
    public async Task<(int Code, string Output)> DriftAsync()
    {
        using var output = new StringWriter();
        var code = await KastellCli.RunAsync(host.Services, ["authz", "drift", "--organization", Slug], output, TestContext.Current.CancellationToken);
        return (code, output.ToString());
    }

    public async Task<OrganizationRole?> RoleOfAsync(Guid userId)
    {
        var (scope, db) = host.OpenDb(id);
        await using (scope)
        {
            return await db.OrganizationMembers.Where(m => m.UserId == userId).Select(m => (OrganizationRole?)m.Role).SingleOrDefaultAsync(TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var person in _people)
        {
            person.Dispose();
        }

        await Task.CompletedTask;
    }
}

/// <summary>Form posts of the management pages, with the antiforgery token of a page the browser loaded.</summary>
public static class Forms
{
    /// <summary>Loads <paramref name="page"/> (for its token), then posts <paramref name="fields"/> to <paramref name="action"/>.</summary>
    public static async Task<HttpResponseMessage> PostFromAsync(this TestBrowser browser, string page, string action, IDictionary<string, string>? fields = null)
    {
        await browser.GetAsync(page);
        var values = new Dictionary<string, string>(fields ?? new Dictionary<string, string>())
        {
            ["__RequestVerificationToken"] = browser.AnyAntiforgeryToken(),
        };
        return await browser.PostAsync(action, values);
    }

    /// <summary>Posts without the antiforgery token, as a forged cross-site form would.</summary>
    public static Task<HttpResponseMessage> PostWithoutTokenAsync(this TestBrowser browser, string action, IDictionary<string, string>? fields = null) =>
        browser.PostAsync(action, new Dictionary<string, string>(fields ?? new Dictionary<string, string>()));
}
