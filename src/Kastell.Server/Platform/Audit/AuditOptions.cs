using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Audit;

/// <summary><c>Kastell:Audit</c>: signed checkpoints of the audit chains, and the retention schedule.</summary>
public sealed class AuditOptions
{
    public const string Section = "Kastell:Audit";

    /// <summary>Every this many events of a chain get a signed checkpoint. Default 100.</summary>
    [OptionRange(1, 1_000_000)]
    public int CheckpointInterval { get; set; } = 100;

    [ValidateObjectMembers]
    public AuditRetentionOptions Retention { get; set; } = new();
}

/// <summary><c>Kastell:Audit:Retention</c>: the server applies every organization's retention period on a schedule.</summary>
public sealed class AuditRetentionOptions
{
    /// <summary>Run retention in the server. Off: run the <c>audit-retention</c> verb from cron instead.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between runs. Default one day; the first run comes at most five minutes after start-up.</summary>
    [OptionRange(typeof(TimeSpan), "00:00:01", "31.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Where the archives of removed events go. Default <c>&lt;DataDirectory&gt;/audit-archive</c>.</summary>
    public string? ArchiveDirectory { get; set; }

    /// <summary>The absolute archive directory.</summary>
    public string ResolveArchiveDirectory(DataDirectoryOptions data) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(ArchiveDirectory) ? Path.Combine(data.ResolveDataDirectory(), "audit-archive") : ArchiveDirectory);
}

[OptionsValidator]
internal sealed partial class AuditOptionsValidator : IValidateOptions<AuditOptions>;
