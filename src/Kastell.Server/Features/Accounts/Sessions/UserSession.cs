using Kastell.Server.Platform.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Features.Accounts.Sessions;

/// <summary>
/// A signed-in browser session. The cookie carries only the (protected) session id; the authentication ticket lives
/// here, so sessions can be listed, revoked one by one or all at once, and replicas share them.
/// </summary>
public sealed class UserSession
{
    /// <summary>Random 256-bit identifier, base64url.</summary>
    public string Id { get; set; } = "";

    public Guid UserId { get; set; }

    /// <summary>The authentication ticket, serialized and encrypted with ASP.NET Core data protection.</summary>
    public byte[] Ticket { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>The session ends here however active it is (absolute timeout).</summary>
    public DateTimeOffset AbsoluteExpiresAt { get; set; }

    public string? UserAgent { get; set; }

    public string? IpAddress { get; set; }
}

internal sealed class UserSessionConfiguration : IEntityTypeConfiguration<UserSession>
{
    public void Configure(EntityTypeBuilder<UserSession> b)
    {
        b.ToTable("UserSessions");
        b.Property(s => s.Id).HasMaxLength(64);
        b.HasIndex(s => s.UserId);
        b.HasOne<KastellUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        b.Property(s => s.UserAgent).HasMaxLength(512);
        b.Property(s => s.IpAddress).HasMaxLength(64);
    }
}
