namespace Kastell.Saml;

/// <summary>
/// Remembers used assertion ids so that a captured response cannot sign anyone in twice. The server backs it with the
/// database (a unique key on issuer and id), so it survives a restart and holds across processes.
/// </summary>
public interface ISamlReplayStore
{
    /// <summary>
    /// Records the id atomically and tells whether it was new. Called last, after every other check passed, so that a
    /// refused response burns no id.
    /// </summary>
    /// <param name="issuer">The identity provider's entity id (ids are unique per issuer only).</param>
    /// <param name="assertionId">The assertion's ID.</param>
    /// <param name="keepUntil">After this instant the assertion can no longer pass the time checks, so the record
    /// may be deleted.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the id had not been recorded before.</returns>
    ValueTask<bool> TryRecordAsync(string issuer, string assertionId, DateTimeOffset keepUntil, CancellationToken cancellationToken);
}

/// <summary>
/// An in-process <see cref="ISamlReplayStore"/> for tests, the fuzz harness and single-process tools. Not for the
/// server: it forgets everything on restart and is not shared between processes.
/// </summary>
public sealed class InMemorySamlReplayStore(TimeProvider timeProvider) : ISamlReplayStore
{
    private readonly Dictionary<(string Issuer, string Id), DateTimeOffset> _used = [];
    private readonly Lock _lock = new();

    /// <summary>The number of ids currently remembered.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _used.Count;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> TryRecordAsync(string issuer, string assertionId, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            foreach (var expired in _used.Where(entry => entry.Value < now).Select(entry => entry.Key).ToList())
            {
                _used.Remove(expired);
            }

            return ValueTask.FromResult(_used.TryAdd((issuer, assertionId), keepUntil));
        }
    }
}
