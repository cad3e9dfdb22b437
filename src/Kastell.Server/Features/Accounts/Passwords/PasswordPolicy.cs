namespace Kastell.Server.Features.Accounts.Passwords;

/// <summary>An organization's password rules. Defaults follow NIST SP 800-63B / OWASP ASVS 5 (length over complexity).</summary>
public sealed class PasswordPolicy
{
    public const int AbsoluteMinimumLength = 8;
    public const int AbsoluteMaximumLength = 256;
    public const int MaximumHistory = 24;

    public int MinimumLength { get; set; } = 12;

    public bool RequireUppercase { get; set; }

    public bool RequireLowercase { get; set; }

    public bool RequireDigit { get; set; }

    public bool RequireSymbol { get; set; }

    /// <summary>How many previous passwords may not be reused; 0 turns the check off.</summary>
    public int HistoryLength { get; set; } = 5;
}

/// <summary>A former password hash of a user, kept only to refuse its reuse.</summary>
public sealed class PasswordHistoryEntry
{
    public long Id { get; set; }

    public Guid UserId { get; set; }

    public string PasswordHash { get; set; } = "";

    public DateTimeOffset ChangedAt { get; set; }
}
