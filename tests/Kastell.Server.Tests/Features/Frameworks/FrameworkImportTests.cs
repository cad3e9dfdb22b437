using Kastell.Authorization.Storage.EntityFramework;
using Kastell.Server.Features.Frameworks;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Hosting.Cli;
using Kastell.Server.Tests.Architecture;
using Kastell.Server.Tests.Infrastructure;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Tests.Features.Frameworks;

/// <summary>
/// Importing frameworks through <c>oscal import</c>: the real BSI Grundschutz++ profile resolved over its three
/// catalogs, versions with what changed, refusals that import nothing, and the rows kept to their organization.
/// </summary>
public abstract class FrameworkImportTests(KastellHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static string Data(string relative) => Path.Combine(ArchitectureTests.RepositoryRoot(), "tests", "data", "oscal", relative);

    /// <summary>The BSI profile with its catalogs: two found by file name, the kernel (renamed upstream, "-G0") named explicitly.</summary>
    internal static string[] BsiImport(string slug) =>
    [
        "oscal", "import", Data("bsi/Grundschutz++-profile.json"), "--organization", slug,
        "--catalog", Data("bsi/BSI-Methodik-Grundschutz++-catalog.json"),
        "--catalog", Data("bsi/BSI-Anforderungen-zum-Risikomanagement-catalog.json"),
        "--catalog", "BSI-Stand-der-Technik-Kernel-G0-catalog.json=" + Data("bsi/BSI-Stand-der-Technik-Kernel-catalog.json"),
    ];

    [Fact]
    public async Task BsiProfile_ImportsResolved_WithRequirementsGroupsAndParameters_AndIsAudited()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "bsi");
        using var output = new StringWriter();

        var code = await KastellCli.RunAsync(host.Services, BsiImport(org.Slug), output, Ct);

        Assert.True(code == 0, output.ToString());
        Assert.Contains("Imported \"Anwenderkatalog Grundschutz++\"", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("1000 requirements", output.ToString(), StringComparison.Ordinal);
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            var framework = await db.Set<Framework>().SingleAsync(Ct);
            Assert.Equal("Anwenderkatalog Grundschutz++", framework.Title);
            var version = await db.Set<FrameworkVersion>().SingleAsync(Ct);
            Assert.Equal(framework.CurrentVersionId, version.Id);
            Assert.Equal((1, "profile", 1000, "system:cli"), (version.Sequence, version.SourceKind, version.RequirementCount, version.ImportedBy));
            var requirements = await db.Set<Requirement>().OrderBy(r => r.Position).ToListAsync(Ct);
            Assert.Equal(1000, requirements.Count);
            Assert.Equal(Enumerable.Range(0, 1000), requirements.Select(r => r.Position));
            Assert.Equal("GC.1.1", requirements[0].ControlId);

            // The profile's parameter setting reached the stored parameters; statements and groups are kept.
            Assert.Contains("gc.1.1-prm1", requirements[0].Parameters, StringComparison.Ordinal);
            Assert.NotEmpty(requirements[0].Statement);
            Assert.Equal("GC.1", requirements[0].GroupId); // the innermost group; the path names every level
            Assert.Equal(2, requirements[0].GroupPath.Split(" › ").Length);
            Assert.All(requirements, r => Assert.NotEqual("", r.GroupPath));
            Assert.Contains(requirements, r => r.ControlId == "RISK.1.10");
            Assert.DoesNotContain(requirements, r => r.ControlId == "RISK.1.2");
            Assert.Empty(await db.Set<RequirementChange>().ToListAsync(Ct)); // a first import changes nothing

            var imported = await db.AuditEvents.SingleAsync(e => e.OrganizationId == org.Id && e.Type == FrameworkEvents.FrameworkImported, Ct);
            Assert.Equal(framework.Id.ToString(), imported.TargetId);
            Assert.Contains("\"requirements\":\"1000\"", imported.Details, StringComparison.Ordinal);

            // The framework's place in the authorization model, written with it.
            Assert.True(await db.Set<TupleEntity>().AnyAsync(t => t.Object == $"framework:{framework.Id:D}" && t.Relation == "organization" && t.User == $"organization:{org.Id:D}", Ct));
        }
    }

    [Fact]
    public async Task NewerVersion_RecordsAddedChangedAndWithdrawn_AndTheSameVersionTwiceIsRefused()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "versions");
        var first = await WriteAsync(Catalog("1.0", ("x-1", "Eins"), ("x-2", "Zwei"), ("x-3", "Drei")));
        var second = await WriteAsync(Catalog("2.0", ("x-1", "Eins"), ("x-2", "Zwei, neu gefasst"), ("x-4", "Vier"), ("x-5", "Fünf")));

        Assert.Equal(0, await ImportAsync(org.Slug, first));
        using var output = new StringWriter();
        Assert.Equal(0, await KastellCli.RunAsync(host.Services, ["oscal", "import", second, "--organization", org.Slug], output, Ct));
        Assert.Contains("4 requirements; 2 added, 1 changed, 1 withdrawn", output.ToString(), StringComparison.Ordinal);

        using var again = new StringWriter();
        Assert.Equal(1, await KastellCli.RunAsync(host.Services, ["oscal", "import", second, "--organization", org.Slug], again, Ct));
        Assert.Contains("imported already", again.ToString(), StringComparison.Ordinal);

        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            var framework = await db.Set<Framework>().SingleAsync(Ct);
            var versions = await db.Set<FrameworkVersion>().OrderBy(v => v.Sequence).ToListAsync(Ct);
            Assert.Equal([1, 2], versions.Select(v => v.Sequence));
            Assert.Equal(versions[1].Id, framework.CurrentVersionId);
            Assert.Equal((2, 1, 1), (versions[1].AddedCount, versions[1].ChangedCount, versions[1].WithdrawnCount));
            var changes = await db.Set<RequirementChange>().Where(c => c.FrameworkVersionId == versions[1].Id).OrderBy(c => c.ControlId).ToListAsync(Ct);
            Assert.Equal(
                [("x-2", RequirementChangeKind.Changed), ("x-3", RequirementChangeKind.Withdrawn), ("x-4", RequirementChangeKind.Added), ("x-5", RequirementChangeKind.Added)],
                changes.Select(c => (c.ControlId, c.Kind)));
            Assert.Equal("Drei", changes.Single(c => c.Kind == RequirementChangeKind.Withdrawn).Title);
            Assert.Equal(3 + 4, await db.Set<Requirement>().CountAsync(Ct)); // the old version's rows stay as they were
            Assert.Single(await db.AuditEvents.Where(e => e.OrganizationId == org.Id && e.Type == FrameworkEvents.FrameworkVersionImported).ToListAsync(Ct));
            Assert.Single(await db.AuditEvents.Where(e => e.OrganizationId == org.Id && e.Type == FrameworkEvents.FrameworkImportRefused).ToListAsync(Ct));
        }
    }

    [Theory]
    [InlineData("{\"catalog\":{\"uuid\":\"0b7e0c6e-4a4e-4a8e-9b55-1f1d2b0a9c11\",\"metadata\":{\"title\":\"T\",\"last-modified\":\"2026-01-01T00:00:00Z\",\"version\":\"1\",\"oscal-version\":\"1.1.3\"},\"controls\":[{\"id\":7,\"title\":\"x\"}]}}", "/catalog/controls/0/id")]
    [InlineData("{\"catalog\":{\"uuid\":\"0b7e0c6e-4a4e-4a8e-9b55-1f1d2b0a9c11\",\"metadata\":{\"title\":\"T\",\"last-modified\":\"2026-01-01T00:00:00Z\",\"version\":\"1\",\"oscal-version\":\"1.1.3\"},\"controls\":[{\"id\":\"a\",\"title\":\"x\"},]}}", "")]
    public async Task MalformedFile_IsRefusedWithItsPointer_AndImportsNothing(string json, string pointer)
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "bad");
        var file = await WriteAsync(json);
        using var error = new StringWriter();

        var code = await KastellCli.RunAsync(host.Services, ["oscal", "import", file, "--organization", org.Slug], error, Ct);

        Assert.Equal(1, code);
        Assert.Contains("nothing was imported", error.ToString(), StringComparison.Ordinal);
        if (pointer.Length > 0)
        {
            Assert.Contains(pointer + ":", error.ToString(), StringComparison.Ordinal);
        }

        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            Assert.Empty(await db.Set<Framework>().ToListAsync(Ct));
            Assert.Empty(await db.Set<Requirement>().ToListAsync(Ct));
            var refused = await db.AuditEvents.SingleAsync(e => e.OrganizationId == org.Id && e.Type == FrameworkEvents.FrameworkImportRefused, Ct);
            Assert.Equal(AuditOutcome.Failed, refused.Outcome);
        }
    }

    [Fact]
    public async Task ProfileWithoutItsCatalogs_IsRefused_NamingTheMissingImport()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "missing");
        using var error = new StringWriter();

        var code = await KastellCli.RunAsync(host.Services, ["oscal", "import", Data("bsi/Grundschutz++-profile.json"), "--organization", org.Slug], error, Ct);

        Assert.Equal(1, code);
        Assert.Contains("/profile/imports/0/href", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("BSI-Methodik-Grundschutz++-catalog.json", error.ToString(), StringComparison.Ordinal);
        var (scope, db) = host.OpenDb(org.Id);
        await using (scope)
        {
            Assert.Empty(await db.Set<Framework>().ToListAsync(Ct));
        }
    }

    [Fact]
    public async Task ImportedRows_AreInvisibleToAnotherOrganization()
    {
        var alice = await EncryptedOrganizations.CreateAsync(host, "alice");
        var bob = await EncryptedOrganizations.CreateAsync(host, "bob");
        Assert.Equal(0, await ImportAsync(alice.Slug, Data("nist/basic-catalog.json")));

        var (scope, db) = host.OpenDb(bob.Id);
        await using (scope)
        {
            Assert.Empty(await db.Set<Framework>().ToListAsync(Ct));
            Assert.Empty(await db.Set<FrameworkVersion>().ToListAsync(Ct));
            Assert.Empty(await db.Set<Requirement>().ToListAsync(Ct));
        }

        (scope, db) = host.OpenDb(alice.Id);
        await using (scope)
        {
            Assert.NotEmpty(await db.Set<Requirement>().ToListAsync(Ct));
        }
    }

    [Fact]
    public async Task UnknownOrganizationOrFile_IsAUsageError()
    {
        var org = await EncryptedOrganizations.CreateAsync(host, "usage");
        using var output = new StringWriter();

        Assert.Equal(2, await KastellCli.RunAsync(host.Services, ["oscal", "import", Data("nist/basic-catalog.json"), "--organization", "no-such-org"], output, Ct));
        Assert.Equal(2, await KastellCli.RunAsync(host.Services, ["oscal", "import", Data("nist/nope.json"), "--organization", org.Slug], output, Ct));
        Assert.Equal(2, await KastellCli.RunAsync(host.Services, ["oscal", "import", Data("nist/basic-catalog.json")], output, Ct));
    }

    private async Task<int> ImportAsync(string slug, string file)
    {
        using var output = new StringWriter();
        return await KastellCli.RunAsync(host.Services, ["oscal", "import", file, "--organization", slug], output, Ct);
    }

    internal static string Catalog(string version, params (string Id, string Title)[] controls) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            catalog = new Dictionary<string, object>
            {
                ["uuid"] = Guid.NewGuid().ToString(),
                ["metadata"] = new Dictionary<string, object> { ["title"] = "Hauskatalog", ["last-modified"] = "2026-12-01T00:00:00Z", ["version"] = version, ["oscal-version"] = "1.1.3" },
                ["groups"] = new[]
                {
                    new { id = "x", title = "Gruppe X", controls = controls.Select(c => new { id = c.Id, title = c.Title }).ToArray() },
                },
            },
        });

    internal static async Task<string> WriteAsync(string json)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("kastell-oscal-").FullName, "catalog.json");
        await File.WriteAllTextAsync(file, json, Ct);
        return file;
    }
}

public sealed class FrameworkImportTestsOnSqlite(SqliteHost host) : FrameworkImportTests(host), IClassFixture<SqliteHost>;

public sealed class FrameworkImportTestsOnPostgres(PostgresHost host) : FrameworkImportTests(host), IClassFixture<PostgresHost>;
