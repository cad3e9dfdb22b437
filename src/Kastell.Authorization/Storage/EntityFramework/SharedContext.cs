using Microsoft.EntityFrameworkCore;

namespace Kastell.Authorization.Storage.EntityFramework;

/// <summary>
/// One context for a series of reads, its connection opened at the first read and kept open until disposed; the
/// reads take turns (a context serves one query at a time). A read that fails disposes the context, so a broken
/// connection is not used again: the next read starts with a fresh one.
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
        var context = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return context;
        }
        catch
        {
            await context.DisposeAsync().ConfigureAwait(false);
            throw;
        }
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
