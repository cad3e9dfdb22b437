using System.Diagnostics;
using System.Text.Json;
using Kastell.Server.Platform.Data;
using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Platform.Audit;

/// <summary>
/// Builds events from the request (tenant, space, client IP, user agent, trace id) and adds them to the scoped data
/// context. Sequence numbers and hashes are assigned at save time by <see cref="AuditChainSealer"/>, inside the
/// transaction, because only then is the chain's tail known for sure.
/// </summary>
internal sealed class AuditLog(KastellDbContext db, Tenant tenant, TimeProvider time, IHttpContextAccessor http, MemberEventCopies memberCopies) : IAuditLog
{
    private const int MaxDetailsLength = 2000;

    /// <summary>Set on the request once a denial is recorded, so the generic refusal audit does not record it twice.</summary>
    internal const string DenialRecordedItem = "Kastell.Audit.DenialRecorded";

    public void Record(AuditEntry entry)
    {
        if (entry.Outcome == AuditOutcome.Denied && http.HttpContext is { } context)
        {
            context.Items[DenialRecordedItem] = true;
        }

        var recorded = Build(entry);
        db.Set<AuditEvent>().Add(recorded);
        if (recorded.OrganizationId is null && AuditEventCatalog.IsMemberSecurityEvent(entry.Type)
            && entry.Target is { Type: "user", Id: { } id } && Guid.TryParse(id, out _))
        {
            // The account's organizations see it too, once it is committed (MemberEventCopier).
            memberCopies.Track(recorded);
        }
    }

    public async Task RecordNowAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        Record(entry);
        await FlushAsync(cancellationToken);
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default) => await db.SaveChangesAsync(cancellationToken);

    internal AuditEvent Build(AuditEntry entry)
    {
        var request = http.HttpContext;
        var details = entry.Details is { Count: > 0 }
            ? JsonSerializer.Serialize(new SortedDictionary<string, string>(entry.Details.ToDictionary(), StringComparer.Ordinal))
            : null;
        if (details?.Length > MaxDetailsLength)
        {
            throw new ArgumentException("Audit details are meant to be small facts, not payloads.", nameof(entry));
        }

        return new AuditEvent
        {
            Id = Guid.CreateVersion7(),
            HashVersion = AuditHashing.CurrentVersion,
            OrganizationId = tenant.OrganizationId,
            SpaceId = tenant.SpaceId,
            OccurredAt = AuditHashing.ToStoredPrecision(time.GetUtcNow()),
            Type = entry.Type,
            Outcome = entry.Outcome,
            ActorKind = entry.Actor.Kind,
            ActorId = Cut(entry.Actor.Id, 128),
            TargetType = Cut(entry.Target?.Type, 64),
            TargetId = Cut(entry.Target?.Id, 128),
            ClientIp = Cut(request?.Connection.RemoteIpAddress?.ToString(), 64),
            UserAgent = Cut(request?.Request.Headers.UserAgent.ToString(), 512),
            CorrelationId = Cut(Activity.Current?.TraceId.ToString() ?? request?.TraceIdentifier, 64),
            Details = details,
        };
    }

    private static string? Cut(string? value, int max) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= max ? value : value[..max];
}
