using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Features.Controls;

/// <summary>The Controls feature's events (block 3100–3199).</summary>
[AuditEventBlock(3100, 3199)]
public static class ControlEvents
{
    /// <summary>A Space adopted a framework version; details: space, framework, version.</summary>
    public static readonly AuditEventType FrameworkAdopted = new(3100);

    /// <summary>A Space stopped answering a framework (the adoption is kept as history); details: space, framework.</summary>
    public static readonly AuditEventType FrameworkAdoptionEnded = new(3101);

    /// <summary>A control created; details: space, title.</summary>
    public static readonly AuditEventType ControlCreated = new(3102);

    /// <summary>A control's title, description, status or owner changed; details: the fields that changed (new values).</summary>
    public static readonly AuditEventType ControlUpdated = new(3103);

    /// <summary>A control linked to a requirement; details: requirement, framework version.</summary>
    public static readonly AuditEventType ControlRequirementLinked = new(3104);

    /// <summary>A control's link to a requirement removed; details: requirement.</summary>
    public static readonly AuditEventType ControlRequirementUnlinked = new(3105);

    /// <summary>A requirement marked applicable or excluded in the statement of applicability; details: requirement, applicable.</summary>
    public static readonly AuditEventType ApplicabilityRecorded = new(3106);

    /// <summary>A control deleted with its answers to requirements and its tuples; details: space, title, how many requirements it answered.</summary>
    public static readonly AuditEventType ControlDeleted = new(3107);

    /// <summary>
    /// A statement of applicability downloaded (page or API): a read, but of the Space's whole ISMS answer in a file
    /// that leaves Kastell, so recorded like an audit export; details: framework, version, format, lines.
    /// </summary>
    public static readonly AuditEventType StatementOfApplicabilityExported = new(3108);
}
