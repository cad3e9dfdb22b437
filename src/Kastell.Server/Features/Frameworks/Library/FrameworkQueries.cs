using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Frameworks.Library;

/// <summary>A framework in the library list.</summary>
public sealed record FrameworkSummary(Guid Id, string Title, string? Version, int Requirements, DateTimeOffset? ImportedAt, int Versions);

/// <summary>One import of a framework, newest first on its page.</summary>
public sealed record FrameworkVersionRow(Guid Id, int Sequence, string Version, string SourceKind, DateTimeOffset ImportedAt, int Requirements, int Added, int Changed, int Withdrawn);

/// <summary>A requirement as its framework's page lists it.</summary>
public sealed record RequirementRow(Guid Id, string ControlId, string Title, string Statement, string GroupPath, string? ParentControlId);

/// <summary>A requirement with the framework and version it belongs to, for pages of other features (controls, the statement of applicability).</summary>
public sealed record RequirementReference(Guid Id, string ControlId, string Title, Guid FrameworkVersionId, Guid FrameworkId, string FrameworkTitle, string Version, int Position);

/// <summary>A requirement with its place in its version's document order (0-based), the key of cursor-paged lists.</summary>
public sealed record PositionedRequirement(int Position, RequirementRow Requirement);

/// <summary>One page of requirements and whether another follows.</summary>
public sealed record RequirementPage(IReadOnlyList<RequirementRow> Rows, int Total, int Page, int PageSize)
{
    public bool HasMore => Page * PageSize < Total;
}

/// <summary>Reads the organization's framework library (the tenant filter keeps every query to the request's organization).</summary>
public sealed class FrameworkQueries(KastellDbContext db)
{
    public const int PageSize = 50;
    public const int MaxSearchLength = 200;

    public async Task<IReadOnlyList<FrameworkSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var rows = await (from f in db.Frameworks
                          join v in db.FrameworkVersions on f.CurrentVersionId equals v.Id into current
                          from v in current.DefaultIfEmpty()
                          select new { f.Id, f.Title, Version = v == null ? null : v.Version, Requirements = v == null ? 0 : v.RequirementCount, ImportedAt = v == null ? (DateTimeOffset?)null : v.ImportedAt, Sequence = v == null ? 0 : v.Sequence })
            .ToListAsync(cancellationToken);
        return [.. rows.OrderBy(r => r.Title, StringComparer.CurrentCultureIgnoreCase).Select(r => new FrameworkSummary(r.Id, r.Title, r.Version, r.Requirements, r.ImportedAt, r.Sequence))];
    }

    public Task<Framework?> FindAsync(Guid id, CancellationToken cancellationToken = default) =>
        db.Frameworks.AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, cancellationToken);

    public async Task<IReadOnlyList<FrameworkVersionRow>> VersionsAsync(Guid frameworkId, CancellationToken cancellationToken = default) =>
        await db.FrameworkVersions.Where(v => v.FrameworkId == frameworkId).OrderByDescending(v => v.Sequence)
            .Select(v => new FrameworkVersionRow(v.Id, v.Sequence, v.Version, v.SourceKind, v.ImportedAt, v.RequirementCount, v.AddedCount, v.ChangedCount, v.WithdrawnCount))
            .ToListAsync(cancellationToken);

    /// <summary>The version's requirements in document order, those whose id or title contains <paramref name="search"/> (case-insensitive).</summary>
    public async Task<RequirementPage> RequirementsAsync(Guid versionId, string? search, int page, CancellationToken cancellationToken = default)
    {
        var query = db.Requirements.Where(r => r.FrameworkVersionId == versionId);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToLowerInvariant();
            query = query.Where(r => r.ControlId.ToLower().Contains(term) || r.Title.ToLower().Contains(term));
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderBy(r => r.Position).Skip((page - 1) * PageSize).Take(PageSize)
            .Select(r => new RequirementRow(r.Id, r.ControlId, r.Title, r.Statement, r.GroupPath, r.ParentControlId))
            .ToListAsync(cancellationToken);
        return new RequirementPage(rows, total, page, PageSize);
    }

    /// <summary>Up to <paramref name="take"/> of the version's requirements in document order, after the one at <paramref name="afterPosition"/> (from the start when null).</summary>
    public async Task<IReadOnlyList<PositionedRequirement>> RequirementsAfterAsync(Guid versionId, int? afterPosition, int take, CancellationToken cancellationToken = default) =>
        await db.Requirements.Where(r => r.FrameworkVersionId == versionId && (afterPosition == null || r.Position > afterPosition))
            .OrderBy(r => r.Position).Take(take)
            .Select(r => new PositionedRequirement(r.Position, new RequirementRow(r.Id, r.ControlId, r.Title, r.Statement, r.GroupPath, r.ParentControlId)))
            .ToListAsync(cancellationToken);

    /// <summary>The requirement of <paramref name="versionId"/> with this control id (as the source spells it, compared without case), if any.</summary>
    public async Task<RequirementReference?> FindRequirementAsync(Guid versionId, string controlId, CancellationToken cancellationToken = default)
    {
        var id = controlId.Trim().ToLowerInvariant();
        return (await ReferencesAsync(db.Requirements.Where(r => r.FrameworkVersionId == versionId && r.ControlId.ToLower() == id), cancellationToken)).FirstOrDefault();
    }

    /// <summary>The ids of a version's requirements.</summary>
    public async Task<HashSet<Guid>> RequirementIdsAsync(Guid versionId, CancellationToken cancellationToken = default) =>
        [.. await db.Requirements.Where(r => r.FrameworkVersionId == versionId).Select(r => r.Id).ToListAsync(cancellationToken)];

    /// <summary>The requirements with these ids (those of this organization), in framework and document order.</summary>
    public async Task<IReadOnlyList<RequirementReference>> RequirementsByIdAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken = default) =>
        ids.Count == 0 ? [] : await ReferencesAsync(db.Requirements.Where(r => ids.Contains(r.Id)), cancellationToken);

    private async Task<IReadOnlyList<RequirementReference>> ReferencesAsync(IQueryable<Requirement> requirements, CancellationToken cancellationToken)
    {
        var rows = await (from r in requirements
                          join v in db.FrameworkVersions on r.FrameworkVersionId equals v.Id
                          join f in db.Frameworks on v.FrameworkId equals f.Id
                          select new RequirementReference(r.Id, r.ControlId, r.Title, v.Id, f.Id, f.Title, v.Version, r.Position))
            .ToListAsync(cancellationToken);
        return [.. rows.OrderBy(r => r.FrameworkTitle, StringComparer.CurrentCultureIgnoreCase).ThenBy(r => r.Position)];
    }
}
