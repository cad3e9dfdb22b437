using Kastell.Server.Features.Controls.Adoption;
using Kastell.Server.Features.Controls.Applicability;
using Kastell.Server.Features.Controls.ManageControls;

namespace Kastell.Server.Features.Controls.Api;

/// <summary>A framework the Space adopts now: the version its statement answers and how much of it is decided.</summary>
public sealed record AdoptedFrameworkResource(Guid FrameworkId, string Title, Guid VersionId, string Version, int Requirements, int Decided, DateTimeOffset AdoptedAt, bool NewerVersionImported)
{
    public static AdoptedFrameworkResource Of(AdoptedFramework a) => new(a.FrameworkId, a.Title, a.VersionId, a.Version, a.Requirements, a.Decided, a.AdoptedAt, a.NewerVersionImported);
}

/// <summary>A control in a list. <c>owner</c>: <c>user:…</c>, <c>team:…</c> or null.</summary>
public sealed record ControlSummaryResource(Guid Id, string Title, ControlStatus Status, string? Owner, int Requirements);

/// <summary>A requirement a control answers: the framework and version it belongs to, its id as the framework spells it.</summary>
public sealed record AnsweredRequirementResource(Guid Id, Guid FrameworkId, string Framework, string Version, string Requirement, string Title);

/// <summary>A control as the API shows it. <c>owner</c>: <c>user:…</c>, <c>team:…</c> or null.</summary>
public sealed record ControlResource(Guid Id, string Title, string Description, ControlStatus Status, string? Owner, IReadOnlyList<AnsweredRequirementResource> Requirements,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ControlResource Of(ControlDetail detail) =>
        new(detail.Control.Id, detail.Control.Title, detail.Control.Description, detail.Control.Status, detail.Owner?.ToString(),
            [.. detail.Requirements.Select(r => new AnsweredRequirementResource(r.Id, r.FrameworkId, r.FrameworkTitle, r.Version, r.ControlId, r.Title))],
            detail.Control.CreatedAt, detail.Control.UpdatedAt);
}

/// <summary>A new control: it starts planned and without an owner (set both with a replace).</summary>
public sealed record ControlCreateBody(string Title, string? Description = null);

/// <summary>A control as a client replaces it: a missing status is planned, a missing owner is none.</summary>
public sealed record ControlBody(string Title, string? Description = null, ControlStatus Status = ControlStatus.Planned, string? Owner = null)
{
    public ControlChange ToChange() => new(Title, Description, Status.ToString(), Owner);
}

/// <summary>A requirement a control should answer: the adopted framework and the requirement's id as it spells it (<c>A.5.1</c>, <c>ac-2</c>).</summary>
public sealed record AnswerBody(Guid Framework, string Requirement);

/// <summary>A control answering a requirement in the statement of applicability.</summary>
public sealed record AnsweringControlResource(Guid Id, string Title, ControlStatus Status);

/// <summary>
/// One line of a statement of applicability: the requirement, whether it applies (null while undecided), the
/// justification and the controls answering it.
/// </summary>
public sealed record SoaLineResource(Guid RequirementId, string Requirement, string Title, string GroupPath, bool? Applicable, string Justification, IReadOnlyList<AnsweringControlResource> Controls)
{
    public static SoaLineResource Of(SoaLine line) =>
        new(line.Requirement.Id, line.Requirement.ControlId, line.Requirement.Title, line.Requirement.GroupPath, line.Applicable, line.Justification,
            [.. line.Controls.Select(c => new AnsweringControlResource(c.Id, c.Title, c.Status))]);
}

/// <summary>A page of a framework's statement of applicability in the Space, in the framework's document order.</summary>
public sealed record SoaResource(Guid FrameworkId, string Title, Guid VersionId, string Version, IReadOnlyList<SoaLineResource> Items, string? NextCursor);

/// <summary>
/// A decision of the statement of applicability: whether the requirement applies, and why (the standard asks the
/// justification for inclusions and exclusions alike, so a decision without one is refused).
/// </summary>
public sealed record ApplicabilityBody(bool Applicable, string? Justification = null);

/// <summary>A framework of the organization's library the Space should adopt (in its current version).</summary>
public sealed record AdoptionBody(Guid Framework);
