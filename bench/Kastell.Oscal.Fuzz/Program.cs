using System.Text;
using Kastell.Oscal;
using Kastell.Oscal.Reading;
using Kastell.Oscal.Resolution;
using SharpFuzz;

namespace Kastell.Oscal.Fuzz;

/// <summary>
/// One fuzz input = one OSCAL document. It is read; a profile is resolved against a small catalog and itself (so
/// cycles and self-imports are reachable), a catalog is resolved through a fixed profile that imports it. Any exception
/// that escapes is a crash for AFL++: the library promises values for every input, never exceptions.
/// </summary>
public static class Program
{
    private static readonly Uri InputUri = new("https://fuzz.invalid/input.json");

    // Small limits so that the fuzzer reaches them often; the behaviour at a limit is what is being tested.
    private static readonly OscalReaderOptions Reader = new() { MaxDocumentBytes = 1 << 20, MaxTokenBytes = 64 * 1024, MaxValues = 100_000 };

    private static readonly ProfileResolverOptions Resolver = new()
    {
        Reader = Reader,
        MaxControls = 10_000,
        MaxDocuments = 16,
        MaxImportDepth = 8,
        NewUuid = () => Guid.Empty,
    };

    private static readonly byte[] Catalog = Encoding.UTF8.GetBytes(
        """
        {"catalog":{"uuid":"c","metadata":{"title":"C","last-modified":"2026-01-01T00:00:00Z","version":"1","oscal-version":"1.1.3"},
         "groups":[{"id":"g","title":"G","params":[{"id":"loose"}],"controls":[
           {"id":"a-1","title":"A1","params":[{"id":"a-1_prm_1","label":"x"}],"parts":[{"id":"a-1_smt","name":"statement","prose":"{{ insert: param, a-1_prm_1 }}","parts":[{"id":"a-1_smt.a","name":"item"}]}],
            "links":[{"href":"#r1","rel":"reference"}],"controls":[{"id":"a-1.1","title":"A1.1"},{"id":"a-1.2","title":"A1.2"}]},
           {"id":"b-1","title":"B1","props":[{"name":"label","value":"B-1","class":"k"}]}]}],
         "back-matter":{"resources":[{"uuid":"r1","title":"R1"},{"uuid":"r2","title":"R2","props":[{"name":"keep","value":"always"}]}]}}}
        """);

    private static readonly byte[] ImportingProfile = Encoding.UTF8.GetBytes(
        """
        {"profile":{"uuid":"p","metadata":{"title":"P","last-modified":"2026-01-01T00:00:00Z","version":"1","oscal-version":"1.1.3"},
         "imports":[{"href":"input.json","include-all":{}}],"merge":{"as-is":true},
         "modify":{"set-parameters":[{"param-id":"a-1_prm_1","values":["v"]}],"alters":[{"control-id":"a-1","adds":[{"position":"ending","props":[{"name":"n","value":"v"}]}]}]}}}
        """);

    public static void Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "--replay")
        {
            // Runs every file of a folder (a corpus, AFL's crashes) once, uninstrumented: for regression checks.
            foreach (var file in Directory.EnumerateFiles(args[1]))
            {
                Run(File.ReadAllBytes(file));
            }

            Console.WriteLine($"replayed {Directory.EnumerateFiles(args[1]).Count()} inputs without an exception");
            return;
        }

        Fuzzer.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            Run(buffer.ToArray());
        });
    }

    public static void Run(byte[] input)
    {
        var read = OscalReader.Read(input, Reader);
        if (!read.IsSuccess)
        {
            Check(read.Errors);
            return;
        }

        var source = new InMemoryDocumentSource()
            .Add(InputUri, input)
            .Add(new Uri(InputUri, "catalog.json"), Catalog)
            .Add(new Uri(InputUri, "profile.json"), ImportingProfile);
        var result = read.Value.Kind switch
        {
            Model.OscalDocumentKind.Profile => ProfileResolver.Resolve(read.Value.Profile!, InputUri, source, Resolver),
            Model.OscalDocumentKind.Catalog => ProfileResolver.Resolve(new Uri(InputUri, "profile.json"), source, Resolver),
            _ => null,
        };
        if (result is not null)
        {
            Check(result.Errors);
            Check(result.Warnings);
        }
    }

    private static void Check(IReadOnlyList<OscalError> errors)
    {
        foreach (var error in errors)
        {
            if (error.Pointer.Length > 0 && error.Pointer[0] != '/')
            {
                throw new InvalidOperationException($"not a JSON pointer: {error}");
            }
        }
    }
}
