using Kastell.Authorization.Storage;

namespace Kastell.Authorization.Testing;

/// <summary>Owns a test's store and disposes it, whichever dispose interface it has.</summary>
internal sealed class StoreLease(ITupleStore store) : IAsyncDisposable
{
    public ITupleStore Store { get; } = store;

    public async ValueTask DisposeAsync()
    {
        switch (Store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
