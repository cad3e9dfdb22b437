namespace Kastell.Authorization.Testing;

/// <summary>One runnable test: a conformance test (or its contextual-tuple re-run) or one test of a store file.</summary>
public sealed class AuthorizationTestCase
{
    private readonly Func<CancellationToken, Task<AuthorizationTestResult>> _body;

    internal AuthorizationTestCase(string file, string name, Func<CancellationToken, Task<AuthorizationTestResult>> body)
    {
        File = file;
        Name = name;
        _body = body;
    }

    public string File { get; }

    public string Name { get; }

    /// <summary>Runs the test: one message per failed assertion (none when it passed). Never throws for a failing engine.</summary>
    public async Task<AuthorizationTestResult> RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _body(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var origin = e.StackTrace?.Split('\n', 2)[0].Trim();
            return new AuthorizationTestResult([$"test aborted: {e.GetType().Name}: {e.Message} ({origin})"], 0);
        }
    }

    public override string ToString() => $"{System.IO.Path.GetFileName(File)}: {Name}";
}

/// <summary>The failures of one test and how many assertions it ran (a list result confirmed by Check counts once).</summary>
public sealed record AuthorizationTestResult(IReadOnlyList<string> Failures, int Assertions)
{
    public bool Passed => Failures.Count == 0;

    internal static AuthorizationTestResult Broken(string message) => new([message], 0);
}

/// <summary>How many tests passed and failed, and how many assertions they ran.</summary>
public sealed record AuthorizationTestSummary(int Passed, int Failed, int Assertions = 0);
