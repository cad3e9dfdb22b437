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
    public KastellDbContext CreateDbContext() => ActivatorUtilities.CreateInstance<TContext>(services);
}
