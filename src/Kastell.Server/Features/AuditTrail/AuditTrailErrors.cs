using Kastell.Server.Platform.Http;

namespace Kastell.Server.Features.AuditTrail;

/// <summary>The audit trail's expected failures (codes documented in docs/error-codes.md).</summary>
internal static class AuditTrailErrors
{
    public static readonly Failure RetentionOutOfRange = new("audit.retention-out-of-range", StatusCodes.Status400BadRequest, "AuditRetentionInvalid");
}
