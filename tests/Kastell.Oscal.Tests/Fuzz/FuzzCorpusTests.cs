using System.Text;
using Kastell.Oscal.Model;
using Kastell.Oscal.Reading;
using Kastell.Oscal.Resolution;

namespace Kastell.Oscal.Tests.Fuzz;

/// <summary>
/// Replays inputs AFL++ found interesting while fuzzing (bench/fuzz-oscal.sh): mutated catalogs, profiles and mapping
/// collections, most of them malformed. Each is read and, when it reads, resolved; none may throw, and every error must
/// carry a JSON pointer. Keeps what the fuzzer covered covered in every test run.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static readonly Uri InputUri = new("https://fuzz.invalid/input.json");

    private static readonly OscalReaderOptions Reader = new() { MaxDocumentBytes = 1 << 20, MaxTokenBytes = 64 * 1024, MaxValues = 100_000 };

    public static TheoryData<string> Inputs()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Fuzz", "corpus");
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data.Count > 0 ? data : throw new InvalidOperationException($"no fuzz corpus in {folder}");
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_IsReadAndResolved_WithoutAnException(string name)
    {
        var input = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fuzz", "corpus", name));

        var read = OscalReader.Read(input, Reader);
        AssertPointers(read.Errors);
        if (read.Value?.Profile is not { } profile)
        {
            return;
        }

        var source = new InMemoryDocumentSource()
            .Add(InputUri, input)
            .Add(new Uri(InputUri, "catalog.json"), Encoding.UTF8.GetBytes(
                """{"catalog":{"uuid":"c","metadata":{"title":"C","last-modified":"x","version":"1","oscal-version":"1.1.3"},"groups":[{"id":"g","title":"G","controls":[{"id":"a-1","title":"A","controls":[{"id":"a-1.1","title":"B"}]},{"id":"b-1","title":"B"}]}]}}"""));
        var resolved = ProfileResolver.Resolve(profile, InputUri, source, new ProfileResolverOptions { Reader = Reader, MaxControls = 10_000 });
        AssertPointers(resolved.Errors);
        AssertPointers(resolved.Warnings);
    }

    private static void AssertPointers(IReadOnlyList<OscalError> errors) =>
        Assert.All(errors, e => Assert.True(e.Pointer.Length == 0 || e.Pointer[0] == '/', e.ToString()));
}
