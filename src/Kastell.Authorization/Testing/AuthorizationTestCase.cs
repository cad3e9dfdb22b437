namespace Kastell.Authorization.Testing;

/// <summary>One runnable test: a conformance test (or its contextual-tuple re-run) or one test of a store file.</summary>
public sealed class AuthorizationTestCase
{
    private readonly Func<CancellationToken, Task<IReadOnlyList<string>>> _body;

    internal AuthorizationTestCase(string file, string name, Func<CancellationToken, Task<IReadOnlyList<string>>> body)
    {
        File = file;
        Name = name;
        _body = body;
    }

    public string File { get; }

    public string Name { get; }

    /// <summary>Runs the test; returns one message per failed assertion (empty when it passed). Never throws for a failing engine.</summary>
    public async Task<IReadOnlyList<string>> RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _body(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var origin = e.StackTrace?.Split('\n', 2)[0].Trim();
            return [$"test aborted: {e.GetType().Name}: {e.Message} ({origin})"];
        }
    }

    public override string ToString() => $"{System.IO.Path.GetFileName(File)}: {Name}";
}

/// <summary>How many tests passed and failed.</summary>
public sealed record AuthorizationTestSummary(int Passed, int Failed);
