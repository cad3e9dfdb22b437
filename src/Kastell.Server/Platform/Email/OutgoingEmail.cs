using Kastell.Server.Platform.Encryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kastell.Server.Platform.Email;

public enum OutgoingEmailState
{
    /// <summary>Waiting for its next attempt (<see cref="OutgoingEmail.NextAttemptAt"/>).</summary>
    Pending = 0,

    /// <summary>Given up on: refused for good, or out of attempts. Kept, with the reason, until an operator retries it.</summary>
    DeadLetter = 1,
}

/// <summary>
/// One e-mail in the durable outbox. It is written in the same unit of work as the change that sends it, so a
/// restart or a crash (even <c>kill -9</c>) after the request loses nothing; it is removed once the mail server (or
/// the pickup folder) has taken it — at least once: a crash between the two sends it again. The recipient, subject
/// and bodies (with their reset and invitation links) are encrypted at rest with the platform data key.
/// </summary>
public sealed class OutgoingEmail
{
    public Guid Id { get; set; }

    /// <summary>The template (<c>password-reset</c>, <c>invitation</c>, …): what logs and operators see instead of the content.</summary>
    public string Kind { get; set; } = "";

    public string Recipient { get; set; } = "";

    public string Subject { get; set; } = "";

    public string TextBody { get; set; } = "";

    public string HtmlBody { get; set; } = "";

    public OutgoingEmailState State { get; set; }

    /// <summary>Failed attempts so far.</summary>
    public int Attempts { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>Set while one dispatcher sends it; a lease that ran out (its process died) frees it for another attempt.</summary>
    public DateTimeOffset? LeasedUntil { get; set; }

    /// <summary>Why the last attempt failed: the transport's answer, never the content.</summary>
    public string? LastError { get; set; }

    public DateTimeOffset? DeadLetteredAt { get; set; }

    public const int MaxErrorLength = 500;
}

internal sealed class OutgoingEmailConfiguration : IEntityTypeConfiguration<OutgoingEmail>
{
    public void Configure(EntityTypeBuilder<OutgoingEmail> b)
    {
        b.ToTable("OutgoingEmails");
        b.HasKey(m => m.Id);
        b.Property(m => m.Kind).HasMaxLength(64).IsRequired();
        b.Property(m => m.Recipient).IsRequired().IsEncrypted(EncryptionScope.Platform);
        b.Property(m => m.Subject).IsRequired().IsEncrypted(EncryptionScope.Platform);
        b.Property(m => m.TextBody).IsRequired().IsEncrypted(EncryptionScope.Platform);
        b.Property(m => m.HtmlBody).IsRequired().IsEncrypted(EncryptionScope.Platform);
        b.Property(m => m.LastError).HasMaxLength(OutgoingEmail.MaxErrorLength);
        // The dispatcher's question: which pending messages are due?
        b.HasIndex(m => new { m.State, m.NextAttemptAt });
    }
}
