using Microsoft.EntityFrameworkCore;

namespace Kastell.Authorization.Storage.EntityFramework;

/// <summary>
/// One context for a series of reads (a request's), created at the first read; the reads take turns (a context serves
/// one query at a time). The connection is not held between reads: EF opens it for each query and returns it to the
/// pool, so a request that streams a download or waits on a slow client does not pin a pooled connection for its
/// whole life (held from the first check to the end of the request, it did). A read that fails disposes the
/// context: the next read starts with a fresh one.
/// </summary>
internal sealed class SharedContext<TContext>(IDbContextFactory<TContext> contexts) : IAsyncDisposable
    where TContext : DbContext
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private TContext? _context;
    private bool _disposed;

    public async Task<T> RunAsync<T>(Func<TContext, CancellationToken, Task<T>> query, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _context ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
            return await query(_context, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await DropAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _turn.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            await DropAsync().ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task<TContext> OpenAsync(CancellationToken cancellationToken)
    {
        return await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DropAsync()
    {
        if (_context is { } context)
        {
            _context = null;
            await context.DisposeAsync().ConfigureAwait(false);
        }
    }
}
