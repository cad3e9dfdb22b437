using Kastell.Authorization.Engine;
using Kastell.Authorization.Storage.EntityFramework;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;
using Kastell.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Kastell.Server.Tests.Platform.Authorization.AttackMatrix;

/// <summary>
/// What the model grants an attacker in the victim's store, asked of the engine directly (outside any request). The
/// model's answers are the model tests' business (<c>authz test</c>); the matrix uses them only to know which refusal
/// a request must meet — 404 where the object may not even be read, 403 where it may — and which of the victim's
/// texts a response may carry. Whether the server enforces them is what the matrix tests.
/// </summary>
internal sealed class AccessOracle(KastellHost host, Guid organizationId)
{
    private readonly Dictionary<(Guid User, string Object, string Permission), bool> _answers = [];

    public async Task<bool> CanAsync(Guid? user, string type, Guid id, string permission)
    {
        if (user is not { } signedIn)
        {
            return false;
        }

        var key = (signedIn, Permissions.Object(type, id), permission);
        if (_answers.TryGetValue(key, out var known))
        {
            return known;
        }

        await using var scope = host.Services.GetRequiredService<TenantScopes>().Enter(organizationId, AuditActor.System("attack-matrix"));
        var engine = scope.Get<KastellModel>().Over(new EntityFrameworkTupleStore<KastellDbContext>(
            scope.Get<IDbContextFactory<KastellDbContext>>(), Permissions.StoreId(organizationId), TimeProvider.System));
        bool allowed;
        try
        {
            allowed = (await engine.CheckAsync(new CheckRequest(key.Item2, permission, Permissions.User(signedIn)), TestContext.Current.CancellationToken)).Allowed;
        }
        catch (AuthorizationException)
        {
            allowed = false; // a permission the type does not define (can_read on a team): the server denies too
        }

        _answers[key] = allowed;
        return allowed;
    }
}
