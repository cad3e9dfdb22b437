using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Identity;

namespace Kastell.Server.Platform.Tenancy;

/// <summary>
/// Opens a service scope that works inside one tenant, for jobs, CLI verbs and the few commands that must act outside
/// the request's own tenant (deleting an account walks every organization it belongs to). The scope's data context is
/// filtered to that organization and, on PostgreSQL, its connection carries it for row-level security.
/// </summary>
public sealed class TenantScopes(IServiceScopeFactory scopes)
{
    /// <summary>A scope inside <paramref name="organizationId"/> (and <paramref name="spaceId"/>), acting as <paramref name="actor"/>.</summary>
    public TenantScope Enter(Guid organizationId, AuditActor actor, Guid? spaceId = null)
    {
        var scope = Open(actor);
        scope.Tenant.Enter(organizationId, spaceId);
        return scope;
    }

    /// <summary>A scope inside the chain's organization, or outside every tenant for the system chain (null).</summary>
    public TenantScope EnterChain(Guid? organizationId, AuditActor actor) =>
        organizationId is { } organization ? Enter(organization, actor) : Open(actor);

    /// <summary>A scope outside every tenant: tenant-owned queries match nothing in it.</summary>
    public TenantScope Open(AuditActor actor)
    {
        var scope = new TenantScope(scopes.CreateAsyncScope());
        scope.Services.GetRequiredService<CurrentActor>().ActAs(actor);
        return scope;
    }
}

/// <summary>A service scope entered into a tenant; dispose it to leave.</summary>
public sealed class TenantScope(AsyncServiceScope scope) : IAsyncDisposable, IDisposable
{
    public IServiceProvider Services => scope.ServiceProvider;

    public Tenant Tenant => Services.GetRequiredService<Tenant>();

    public KastellDbContext Db => Services.GetRequiredService<KastellDbContext>();

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    public ValueTask DisposeAsync() => scope.DisposeAsync();

    /// <summary>For the few synchronous callers (the key ring's cache miss runs inside an EF interceptor).</summary>
    public void Dispose() => scope.Dispose();
}
