using Kastell.Server.Platform.Tenancy;

namespace Kastell.Server.Features.Organizations.Members;

/// <summary>
/// An invitation into an organization, sent by e-mail. Tenant-owned. Only the SHA-256 hash of the token is stored,
/// so a database leak does not let anyone join.
/// </summary>
public sealed class Invitation : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid OrganizationId { get; set; }

    /// <summary>The address as typed by the inviter (trimmed).</summary>
    public string Email { get; set; } = "";

    /// <summary>Upper-cased like Identity's normalized e-mail, for matching the accepting user.</summary>
    public string NormalizedEmail { get; set; } = "";

    public OrganizationRole Role { get; set; }

    /// <summary>Lower-case hex SHA-256 of the token from the link.</summary>
    public string TokenHash { get; set; } = "";

    /// <summary>Who invited; kept as a plain id (no foreign key) so deleting that account keeps the record.</summary>
    public Guid InvitedByUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? AcceptedAt { get; set; }

    public Guid? AcceptedByUserId { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public bool IsPending(DateTimeOffset now) => AcceptedAt is null && RevokedAt is null && ExpiresAt > now;
}
