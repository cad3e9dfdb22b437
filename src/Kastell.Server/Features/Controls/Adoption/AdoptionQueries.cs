using Kastell.Server.Features.Controls.Applicability;
using Kastell.Server.Features.Frameworks.Library;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Controls.Adoption;

/// <summary>A framework a Space adopts (or adopted, with <see cref="EndedAt"/>), with how much of its statement of applicability is decided.</summary>
public sealed record AdoptedFramework(
    Guid FrameworkId, string Title, Guid VersionId, string Version, int Requirements, int Decided,
    DateTimeOffset AdoptedAt, DateTimeOffset? EndedAt, bool NewerVersionImported);

/// <summary>Reads a Space's adoptions (the tenant filter keeps every query to the request's organization).</summary>
public sealed class AdoptionQueries(KastellDbContext db, FrameworkQueries frameworks)
{
    /// <summary>The frameworks the Space adopts now, by title.</summary>
    public async Task<IReadOnlyList<AdoptedFramework>> CurrentAsync(Guid spaceId, CancellationToken cancellationToken = default) =>
        [.. (await AllAsync(spaceId, cancellationToken)).Where(a => a.EndedAt is null)];

    /// <summary>Every adoption of the Space, current ones first, then ended ones newest first.</summary>
    public async Task<IReadOnlyList<AdoptedFramework>> AllAsync(Guid spaceId, CancellationToken cancellationToken = default)
    {
        var adoptions = await db.FrameworkAdoptions.AsNoTracking().Where(a => a.SpaceId == spaceId).ToListAsync(cancellationToken);
        if (adoptions.Count == 0)
        {
            return [];
        }

        var library = (await frameworks.ListAsync(cancellationToken)).ToDictionary(f => f.Id);
        var decided = await db.ApplicabilityEntries.Where(e => e.SpaceId == spaceId).Select(e => e.RequirementId).ToListAsync(cancellationToken);
        var result = new List<AdoptedFramework>();
        foreach (var group in adoptions.GroupBy(a => a.FrameworkId))
        {
            var versions = await frameworks.VersionsAsync(group.Key, cancellationToken);
            var newest = versions.FirstOrDefault();
            foreach (var adoption in group)
            {
                var version = versions.FirstOrDefault(v => v.Id == adoption.FrameworkVersionId);
                var requirementIds = await frameworks.RequirementIdsAsync(adoption.FrameworkVersionId, cancellationToken);
                result.Add(new AdoptedFramework(
                    adoption.FrameworkId, library.TryGetValue(adoption.FrameworkId, out var f) ? f.Title : "",
                    adoption.FrameworkVersionId, version?.Version ?? "", version?.Requirements ?? 0,
                    decided.Count(requirementIds.Contains), adoption.AdoptedAt, adoption.EndedAt,
                    newest is not null && newest.Id != adoption.FrameworkVersionId));
            }
        }

        return [.. result.OrderBy(a => a.EndedAt is null ? 0 : 1).ThenByDescending(a => a.EndedAt).ThenBy(a => a.Title, StringComparer.CurrentCultureIgnoreCase)];
    }

    /// <summary>The Space's current adoption of the framework, if any.</summary>
    public Task<FrameworkAdoption?> FindCurrentAsync(Guid spaceId, Guid frameworkId, CancellationToken cancellationToken = default) =>
        db.FrameworkAdoptions.AsNoTracking().SingleOrDefaultAsync(a => a.SpaceId == spaceId && a.FrameworkId == frameworkId && a.EndedAt == null, cancellationToken);

    /// <summary>The framework versions the Space answers now.</summary>
    public async Task<IReadOnlyList<Guid>> CurrentVersionIdsAsync(Guid spaceId, CancellationToken cancellationToken = default) =>
        await db.FrameworkAdoptions.Where(a => a.SpaceId == spaceId && a.EndedAt == null).Select(a => a.FrameworkVersionId).ToListAsync(cancellationToken);
}
