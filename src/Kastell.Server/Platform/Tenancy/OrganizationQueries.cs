using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Platform.Tenancy;

/// <summary>Finding organizations by their slug outside a request (CLI verbs, jobs).</summary>
public static class OrganizationQueries
{
    /// <summary>The id of the organization with <paramref name="slug"/>, or null.</summary>
    public static async Task<Guid?> OrganizationIdAsync(this IServiceProvider services, string slug, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KastellDbContext>();
        var id = await db.Organizations.Where(o => o.Slug == slug).Select(o => o.Id).SingleOrDefaultAsync(cancellationToken);
        return id == Guid.Empty ? null : id;
    }
}
