using Kastell.Server.Features.Controls.ManageControls;
using Kastell.Server.Features.Frameworks.Library;
using Kastell.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Controls.Applicability;

/// <summary>A requirement in the statement of applicability: its decision (null while undecided) and the controls answering it.</summary>
public sealed record SoaLine(RequirementRow Requirement, bool? Applicable, string Justification, IReadOnlyList<LinkedControl> Controls);

/// <summary>One page of a framework's statement of applicability.</summary>
public sealed record SoaPage(IReadOnlyList<SoaLine> Lines, int Total, int Page, int PageSize)
{
    public bool HasMore => Page * PageSize < Total;
}

/// <summary>Reads a Space's statement of applicability for one adopted framework version, page by page.</summary>
public sealed class SoaQuery(KastellDbContext db, FrameworkQueries frameworks, ControlQueries controls)
{
    public async Task<SoaPage> PageAsync(Guid spaceId, Guid versionId, string? search, int page, CancellationToken cancellationToken = default)
    {
        var requirements = await frameworks.RequirementsAsync(versionId, search, page, cancellationToken);
        return new SoaPage(await LinesAsync(spaceId, requirements.Rows, cancellationToken), requirements.Total, requirements.Page, requirements.PageSize);
    }

    /// <summary>
    /// Up to <paramref name="take"/> lines in document order after the requirement at <paramref name="afterPosition"/>,
    /// each with its position: the stable key of the API's cursor (a version's requirements never change).
    /// </summary>
    public async Task<IReadOnlyList<(int Position, SoaLine Line)>> AfterAsync(Guid spaceId, Guid versionId, int? afterPosition, int take, CancellationToken cancellationToken = default)
    {
        var requirements = await frameworks.RequirementsAfterAsync(versionId, afterPosition, take, cancellationToken);
        var lines = await LinesAsync(spaceId, [.. requirements.Select(r => r.Requirement)], cancellationToken);
        return [.. requirements.Select((r, i) => (r.Position, lines[i]))];
    }

    /// <summary>
    /// The line of one requirement of the version with the stored decision behind it (null while undecided); null
    /// when the version has no such requirement.
    /// </summary>
    public async Task<(SoaLine Line, ApplicabilityEntry? Entry)?> LineAsync(Guid spaceId, Guid versionId, Guid requirementId, CancellationToken cancellationToken = default)
    {
        if (await frameworks.RequirementsByIdAsync([requirementId], cancellationToken) is not [var reference] || reference.FrameworkVersionId != versionId
            || await frameworks.RequirementsAfterAsync(versionId, reference.Position - 1, 1, cancellationToken) is not [var positioned] || positioned.Requirement.Id != requirementId)
        {
            return null;
        }

        var line = (await LinesAsync(spaceId, [positioned.Requirement], cancellationToken))[0];
        var entry = await db.ApplicabilityEntries.AsNoTracking().SingleOrDefaultAsync(e => e.SpaceId == spaceId && e.RequirementId == requirementId, cancellationToken);
        return (line, entry);
    }

    private async Task<IReadOnlyList<SoaLine>> LinesAsync(Guid spaceId, IReadOnlyList<RequirementRow> requirements, CancellationToken cancellationToken)
    {
        var ids = requirements.Select(r => r.Id).ToList();
        var entries = await db.ApplicabilityEntries.AsNoTracking().Where(e => e.SpaceId == spaceId && ids.Contains(e.RequirementId))
            .ToDictionaryAsync(e => e.RequirementId, cancellationToken);
        var linked = await controls.ForRequirementsAsync(spaceId, ids, cancellationToken);
        return [.. requirements.Select(r => new SoaLine(
            r,
            entries.TryGetValue(r.Id, out var entry) ? entry.Applicable : null,
            entry?.Justification ?? "",
            linked.TryGetValue(r.Id, out var answering) ? answering : []))];
    }
}
