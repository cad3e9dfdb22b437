namespace Kastell.Server.Tests.Infrastructure;

/// <summary>Finds the PostgreSQL server programs that Debian's packages install under /usr/lib/postgresql/VERSION/bin.</summary>
internal sealed record PostgresBinaries(string Directory, int MajorVersion)
{
    private const string DebianRoot = "/usr/lib/postgresql";

    public string InitDb => Path.Combine(Directory, "initdb");

    public string PgCtl => Path.Combine(Directory, "pg_ctl");

    /// <summary>The highest installed major version, or an exception that says what to install.</summary>
    public static PostgresBinaries FindHighest(string installRoot = DebianRoot)
    {
        var candidates = System.IO.Directory.Exists(installRoot)
            ? System.IO.Directory.GetDirectories(installRoot)
                .Select(versionDirectory => (
                    Bin: Path.Combine(versionDirectory, "bin"),
                    Version: int.TryParse(Path.GetFileName(versionDirectory), out var major) ? major : -1))
                .Where(candidate => candidate.Version > 0
                    && File.Exists(Path.Combine(candidate.Bin, "initdb"))
                    && File.Exists(Path.Combine(candidate.Bin, "pg_ctl")))
                .OrderByDescending(candidate => candidate.Version)
                .ToList()
            : [];

        if (candidates.Count == 0)
        {
            throw new InvalidOperationException(
                $"PostgreSQL server programs (initdb, pg_ctl) were not found under {installRoot}/*/bin. "
                + "Install them with 'apt-get install postgresql' (scripts/test.sh does this), "
                + $"or point {PostgresCluster.ExternalConnectionStringVariable} at an existing server.");
        }
        return new PostgresBinaries(candidates[0].Bin, candidates[0].Version);
    }
}
