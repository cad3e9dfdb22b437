namespace Kastell.Server.Platform.Identity;

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
