using Kastell.Oscal.Model;
using Kastell.Oscal.Reading;

namespace Kastell.Oscal.Tests;

/// <summary>
/// The repository's <c>tests/data/oscal/</c>, found by walking up from the test binary to the folder holding
/// <c>Kastell.slnx</c>. The fixtures live in the repository so that a clone alone passes its tests.
/// </summary>
internal static class TestData
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public const string BsiProfile = "bsi/Grundschutz++-profile.json";
    public const string BsiKernel = "bsi/BSI-Stand-der-Technik-Kernel-catalog.json";
    public const string BsiMethod = "bsi/BSI-Methodik-Grundschutz++-catalog.json";
    public const string BsiRisk = "bsi/BSI-Anforderungen-zum-Risikomanagement-catalog.json";
    public const string BsiMapping = "bsi/ITGS-to-GS++-mapping_collection.json";
    public const string NistLow = "nist/NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog-min.json";
    public const string NistModerate = "nist/NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog-min.json";
    public const string NistModerateProfile = "nist/NIST_SP-800-53_rev5_MODERATE-baseline_profile.json";
    public const string NistBasic = "nist/basic-catalog.json";

    /// <summary>The full path of a file under <c>tests/data/oscal/</c>; a missing file throws.</summary>
    public static string Path(string relative)
    {
        var path = System.IO.Path.Combine(Root.Value, relative);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"test data file {path} is missing; it belongs in the repository (see tests/data/README.md)");
    }

    public static byte[] Bytes(string relative) => File.ReadAllBytes(Path(relative));

    public static OscalDocument Read(string relative)
    {
        using var stream = File.OpenRead(Path(relative));
        var result = OscalReader.Read(stream);
        Assert.True(result.IsSuccess, result.ToString());
        return result.Value;
    }

    public static Catalog Catalog(string relative) => Read(relative).Catalog ?? throw new InvalidOperationException($"{relative} is not a catalog");

    public static Profile Profile(string relative) => Read(relative).Profile ?? throw new InvalidOperationException($"{relative} is not a profile");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Kastell.slnx")))
            {
                var root = System.IO.Path.Combine(dir.FullName, "tests", "data", "oscal");
                return Directory.Exists(root) ? root : throw new DirectoryNotFoundException($"test data folder {root} is missing");
            }
        }

        throw new InvalidOperationException($"no Kastell.slnx above {AppContext.BaseDirectory}");
    }
}
