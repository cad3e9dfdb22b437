using System.Globalization;
using Kastell.Oscal;
using Kastell.Server.Platform.Audit;
using Kastell.Server.Platform.Authorization;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Http;
using Kastell.Server.Platform.Identity;
using Kastell.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Kastell.Server.Features.Frameworks.Import;

/// <summary>What an import stored: the framework, its new version and the differences to the version before.</summary>
internal sealed record ImportSummary(Guid FrameworkId, Guid VersionId, string Title, string Version, int Sequence, int Requirements, int Added, int Changed, int Withdrawn);

/// <summary>The outcome of an import: a summary, or a failure with the problems that caused it (JSON pointers first).</summary>
internal sealed record ImportOutcome(ImportSummary? Summary, Failure? Failure, IReadOnlyList<string> Problems)
{
    public static ImportOutcome Refused(Failure failure, IReadOnlyList<string> problems) => new(null, failure, problems);
}

/// <summary>
/// Imports an OSCAL catalog or profile into the request's organization: all of it in one transaction, or nothing.
/// A framework already known by its title gets a new version, with the requirements added, changed and withdrawn
/// against the current one recorded beside it; importing the same version again is refused.
/// </summary>
internal sealed class ImportFrameworkCommand(KastellDbContext db, Tenant tenant, IAuditLog audit, CurrentActor actor, RelationshipWriter relationships, TimeProvider time)
{
    private const int BatchSize = 250;

    public async Task<ImportOutcome> ExecuteAsync(OscalFile main, IReadOnlyList<OscalFile> companions, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        var organizationId = tenant.RequireOrganizationId();
        var (loaded, errors) = OscalFiles.Load(main, companions);
        if (loaded is null)
        {
            return await RefuseAsync(FrameworksErrors.InvalidOscal, errors.Select(e => e.ToString()).ToList(), errors[0].Code.ToString(), errors[0].Pointer, cancellationToken);
        }

        var (requirements, problem) = RequirementExtractor.Extract(loaded.Catalog);
        if (problem is not null)
        {
            return await RefuseAsync(FrameworksErrors.InvalidOscal, [problem], "UnsupportedContent", "", cancellationToken);
        }

        if (loaded.Title.Length is 0 or > Framework.MaxTitleLength)
        {
            return await RefuseAsync(FrameworksErrors.InvalidOscal, [$"/{Root(loaded)}/metadata/title: must have 1 to {Framework.MaxTitleLength} characters"], "InvalidValue", $"/{Root(loaded)}/metadata/title", cancellationToken);
        }

        var framework = await db.Frameworks.SingleOrDefaultAsync(f => f.Title == loaded.Title, cancellationToken);
        if (framework is not null
            && await db.FrameworkVersions.AnyAsync(v => v.FrameworkId == framework.Id && v.Version == loaded.Version && v.DocumentUuid == loaded.DocumentUuid, cancellationToken))
        {
            return await RefuseAsync(FrameworksErrors.VersionExists, [$"\"{loaded.Title}\" version {loaded.Version} is imported already."], "VersionExists", "", cancellationToken);
        }

        var now = time.GetUtcNow();
        var previous = framework?.CurrentVersionId is { } currentId
            ? await db.Requirements.Where(r => r.FrameworkVersionId == currentId).Select(r => new { r.ControlId, r.Title, r.ContentHash }).ToDictionaryAsync(r => r.ControlId, StringComparer.Ordinal, cancellationToken)
            : null;
        var sequence = framework is null ? 1 : await db.FrameworkVersions.Where(v => v.FrameworkId == framework.Id).MaxAsync(v => v.Sequence, cancellationToken) + 1;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var isNew = framework is null;
        framework ??= db.Frameworks.Add(new Framework { Id = Guid.CreateVersion7(), OrganizationId = organizationId, Title = loaded.Title, CreatedAt = now }).Entity;
        var version = new FrameworkVersion
        {
            Id = Guid.CreateVersion7(),
            OrganizationId = organizationId,
            FrameworkId = framework.Id,
            Sequence = sequence,
            Version = Clip(loaded.Version, 200),
            LastModified = Clip(loaded.LastModified, 100),
            DocumentUuid = Clip(loaded.DocumentUuid, 100),
            SourceKind = loaded.Kind.ToString().ToLowerInvariant(),
            ImportedAt = now,
            ImportedBy = Clip(ActorName(actor.Actor), 200),
            RequirementCount = requirements.Count,
        };
        db.FrameworkVersions.Add(version);
        if (isNew)
        {
            await relationships.GrantAsync(Permissions.Object("framework", framework.Id), "organization", Permissions.Object("organization", organizationId), cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken); // the parent rows first: the requirement batches refer to them
        framework.CurrentVersionId = version.Id;

        var changes = new List<RequirementChange>();
        for (var start = 0; start < requirements.Count; start += BatchSize)
        {
            foreach (var r in requirements.Skip(start).Take(BatchSize))
            {
                db.Requirements.Add(new Requirement
                {
                    Id = Guid.CreateVersion7(),
                    OrganizationId = organizationId,
                    FrameworkVersionId = version.Id,
                    Position = r.Position,
                    ControlId = r.ControlId,
                    Title = r.Title,
                    Statement = r.Statement,
                    Parameters = r.Parameters,
                    ParentControlId = r.ParentControlId,
                    GroupId = r.GroupId,
                    GroupPath = r.GroupPath,
                    ContentHash = r.ContentHash,
                });
                if (previous is not null)
                {
                    if (!previous.TryGetValue(r.ControlId, out var before))
                    {
                        changes.Add(Change(version, r.ControlId, r.Title, RequirementChangeKind.Added));
                    }
                    else if (before.ContentHash != r.ContentHash)
                    {
                        changes.Add(Change(version, r.ControlId, r.Title, RequirementChangeKind.Changed));
                    }
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            progress?.Report((Math.Min(start + BatchSize, requirements.Count), requirements.Count));
        }

        if (previous is not null)
        {
            var current = requirements.Select(r => r.ControlId).ToHashSet(StringComparer.Ordinal);
            changes.AddRange(previous.Values.Where(p => !current.Contains(p.ControlId)).Select(p => Change(version, p.ControlId, p.Title, RequirementChangeKind.Withdrawn)));
        }

        db.RequirementChanges.AddRange(changes);
        version.AddedCount = changes.Count(c => c.Kind == RequirementChangeKind.Added);
        version.ChangedCount = changes.Count(c => c.Kind == RequirementChangeKind.Changed);
        version.WithdrawnCount = changes.Count(c => c.Kind == RequirementChangeKind.Withdrawn);

        var summary = new ImportSummary(framework.Id, version.Id, framework.Title, version.Version, sequence, requirements.Count, version.AddedCount, version.ChangedCount, version.WithdrawnCount);
        audit.Record(new AuditEntry(
            isNew ? FrameworkEvents.FrameworkImported : FrameworkEvents.FrameworkVersionImported,
            actor.Actor,
            new AuditTarget("framework", framework.Id.ToString()),
            Details: new Dictionary<string, string>
            {
                ["version"] = version.Version,
                ["sequence"] = Number(sequence),
                ["kind"] = version.SourceKind,
                ["requirements"] = Number(requirements.Count),
                ["added"] = Number(version.AddedCount),
                ["changed"] = Number(version.ChangedCount),
                ["withdrawn"] = Number(version.WithdrawnCount),
            }));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ImportOutcome(summary, null, []);
    }

    private static RequirementChange Change(FrameworkVersion version, string controlId, string title, RequirementChangeKind kind) => new()
    {
        Id = Guid.CreateVersion7(),
        OrganizationId = version.OrganizationId,
        FrameworkVersionId = version.Id,
        ControlId = controlId,
        Title = title,
        Kind = kind,
    };

    private async Task<ImportOutcome> RefuseAsync(Failure failure, IReadOnlyList<string> problems, string code, string pointer, CancellationToken cancellationToken)
    {
        // Only the code and pointer: the message may quote the file's content, which is not the log's business.
        await audit.RecordNowAsync(new AuditEntry(FrameworkEvents.FrameworkImportRefused, actor.Actor, new AuditTarget("organization", tenant.RequireOrganizationId().ToString()), AuditOutcome.Failed,
            new Dictionary<string, string> { ["code"] = code, ["pointer"] = Clip(pointer, 200) }), cancellationToken);
        return ImportOutcome.Refused(failure, problems);
    }

    private static string Root(LoadedFramework loaded) => loaded.Kind == Kastell.Oscal.Model.OscalDocumentKind.Profile ? "profile" : "catalog";

    private static string ActorName(AuditActor who) => who.Id is null ? who.Kind.ToString().ToLowerInvariant() : $"{who.Kind.ToString().ToLowerInvariant()}:{who.Id}";

    private static string Clip(string value, int length) => value.Length <= length ? value : value[..length];

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
