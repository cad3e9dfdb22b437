namespace Kastell.Server.Tests.Infrastructure;

public sealed class PostgresBinariesTests : IDisposable
{
    private readonly string installRoot = Directory.CreateTempSubdirectory("kastell-pg-install-").FullName;

    [Fact]
    public void FindHighest_WithoutServerPrograms_NamesThePackageToInstall()
    {
        FakeVersion("16", "pg_ctl"); // a version with only part of the programs does not count

        var missing = Assert.Throws<InvalidOperationException>(() => PostgresBinaries.FindHighest(installRoot));

        Assert.Contains("apt-get install postgresql", missing.Message, StringComparison.Ordinal);
        Assert.Contains(PostgresCluster.ExternalConnectionStringVariable, missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindHighest_PicksTheHighestCompleteVersion()
    {
        FakeVersion("9", "initdb", "pg_ctl");
        FakeVersion("15", "initdb", "pg_ctl");
        FakeVersion("17", "initdb");

        var found = PostgresBinaries.FindHighest(installRoot);

        Assert.Equal(15, found.MajorVersion);
        Assert.Equal(Path.Combine(installRoot, "15", "bin", "pg_ctl"), found.PgCtl);
    }

    public void Dispose() => Directory.Delete(installRoot, recursive: true);

    private void FakeVersion(string version, params string[] programs)
    {
        var bin = Directory.CreateDirectory(Path.Combine(installRoot, version, "bin")).FullName;
        foreach (var program in programs)
        {
            File.WriteAllText(Path.Combine(bin, program), "");
        }
    }
}
