using System.Reflection;

namespace Kastell.Browser.Tests.Infrastructure;

/// <summary>Files the browser tests use from the repository, found relative to the test binary rather than the working directory.</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    public static string Root => RootLazy.Value;

    public static string ServerProjectDirectory => Path.Combine(Root, "src", "Kastell.Server");

    /// <summary>The server binary built in the same configuration as this test assembly (the project reference builds it).</summary>
    public static string ServerAssembly
    {
        get
        {
            var configuration = typeof(RepositoryPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "Configuration").Value!;
            // Same target framework folder as this assembly's (both come from Directory.Build.props).
            var targetFramework = Path.GetFileName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
            var path = Path.Combine(ServerProjectDirectory, "bin", configuration, targetFramework, "Kastell.Server.dll");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"Kastell.Server is not built at {path}; build Kastell.slnx in {configuration} first.", path);
        }
    }

    public static string AxeScript
    {
        get
        {
            var path = Path.Combine(Root, "tests", "js", "node_modules", "axe-core", "axe.min.js");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"axe-core is not installed at {path}; run `npm ci --prefix tests/js` (scripts/test.sh does).", path);
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Kastell.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Kastell.slnx above {AppContext.BaseDirectory}.");
    }
}
