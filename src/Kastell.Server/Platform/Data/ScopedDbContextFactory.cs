using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Data;

/// <summary>
/// Short-lived data contexts in the current scope — the same tenant, actor and interceptors as the scope's own
/// context — for readers that run concurrently within one request (the authorization engine reads tuples in parallel;
/// a <see cref="DbContext"/> must not be shared between concurrent readers).
/// </summary>
internal sealed class ScopedDbContextFactory<TContext>(IServiceProvider services) : IDbContextFactory<KastellDbContext>
    where TContext : KastellDbContext
{
    // Built once: ActivatorUtilities.CreateInstance looked the constructor up and emitted an invoker on every call,
    // and the engine creates a context for each tuple read.
    private static readonly ObjectFactory<TContext> Create = ActivatorUtilities.CreateFactory<TContext>(Type.EmptyTypes);

    public KastellDbContext CreateDbContext() => Create(services, null);
}
