using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Engine;

/// <summary>Does <paramref name="User"/> have <paramref name="Relation"/> on <paramref name="Object"/>?</summary>
public sealed record CheckRequest(string Object, string Relation, string User)
{
    /// <summary>Tuples that hold for this request only (e.g. claims from a token); validated like writes.</summary>
    public IReadOnlyList<RelationshipTuple>? ContextualTuples { get; init; }

    /// <summary>Values for condition parameters; a tuple's own context wins over these.</summary>
    public IReadOnlyDictionary<string, object?>? Context { get; init; }

    /// <summary>Record the granting path or the denial reason in the result (costs a few allocations).</summary>
    public bool Explain { get; init; }
}

/// <summary>
/// The answer of a Check. With <see cref="CheckRequest.Explain"/>, <see cref="Path"/> lists the relationships that
/// granted access, from the requested object down to the user, and <see cref="DenialReason"/> says why access was denied.
/// </summary>
public sealed record CheckResult(bool Allowed)
{
    public IReadOnlyList<string> Path { get; init; } = [];

    public string? DenialReason { get; init; }

    /// <summary>One line for an audit entry.</summary>
    public string Explanation => Allowed
        ? Path.Count == 0 ? "allowed" : "allowed: " + string.Join(" -> ", Path)
        : DenialReason is null ? "denied" : "denied: " + DenialReason;
}

/// <summary>One item of a BatchCheck: either a result or the error that item raised (other items are unaffected).</summary>
public sealed record BatchCheckOutcome(CheckRequest Request, CheckResult? Result, AuthorizationException? Error)
{
    public bool Allowed => Result?.Allowed == true;
}

/// <summary>Limits that keep every query bounded.</summary>
public sealed record AuthorizationEngineOptions
{
    /// <summary>OpenFGA's resolve node limit: more nested dispatches fail with 2002.</summary>
    public int MaxResolutionDepth { get; init; } = 25;

    /// <summary>Deadline of one Check (huge fan-outs fail with 4004 instead of running unbounded).</summary>
    public TimeSpan CheckTimeout { get; init; } = TimeSpan.FromSeconds(3);

    public int ListObjectsMaxResults { get; init; } = 1000;

    public int ListUsersMaxResults { get; init; } = 1000;

    /// <summary>Deadline of ListObjects and ListUsers; like OpenFGA they return what they found when it passes (if anything).</summary>
    public TimeSpan ListTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How many proofs Explain collects at most (per relation it follows, and in all); the rest is reported as truncated.</summary>
    public int ExplainMaxProofs { get; init; } = 20;

    /// <summary>How many checks of a BatchCheck run concurrently.</summary>
    public int BatchCheckConcurrency { get; init; } = 4;
}
