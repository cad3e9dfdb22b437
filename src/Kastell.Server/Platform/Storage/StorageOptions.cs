using System.Text.RegularExpressions;

namespace Kastell.Server.Platform.Storage;

public enum StorageBackend
{
    /// <summary>A directory per Space under <c>&lt;DataDirectory&gt;/objects</c> (default).</summary>
    FileSystem,

    /// <summary>A bucket per Space on an S3-compatible service.</summary>
    S3,
}

/// <summary>The <c>Kastell:Storage</c> section: where encrypted files live.</summary>
public sealed class StorageOptions
{
    public StorageBackend Backend { get; set; } = StorageBackend.FileSystem;

    public S3StorageOptions S3 { get; set; } = new();

    /// <summary>The largest upload accepted, in bytes (default 100 MiB).</summary>
    public long MaxUploadBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>clamd's socket: <c>unix:/path</c> (Debian's default below) or <c>tcp://host:port</c>.</summary>
    public string Clamd { get; set; } = "unix:/var/run/clamav/clamd.ctl";

    /// <summary>How long one scan may take before the upload is quarantined instead.</summary>
    public TimeSpan ScanTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often quarantined files are scanned again (<see cref="QuarantineRescanner"/>); zero switches it off.</summary>
    public TimeSpan RescanInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Start-up validation: every problem, or none.</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxUploadBytes < 1 || MaxUploadBytes > 10L * 1024 * 1024 * 1024)
        {
            yield return "Kastell:Storage:MaxUploadBytes must be between 1 and 10737418240 (10 GiB).";
        }

        var unix = Clamd.StartsWith("unix:/", StringComparison.Ordinal);
        if (!unix && !(Uri.TryCreate(Clamd, UriKind.Absolute, out var clamd) && clamd.Scheme == "tcp" && clamd.Port > 0))
        {
            yield return "Kastell:Storage:Clamd must be unix:/path/to/socket or tcp://host:port.";
        }

        if (ScanTimeout < TimeSpan.FromSeconds(1) || ScanTimeout > TimeSpan.FromHours(1))
        {
            yield return "Kastell:Storage:ScanTimeout must be between 00:00:01 and 01:00:00.";
        }

        if (RescanInterval != TimeSpan.Zero && (RescanInterval < TimeSpan.FromSeconds(1) || RescanInterval > TimeSpan.FromDays(1)))
        {
            yield return "Kastell:Storage:RescanInterval must be 00:00:00 (off) or between 00:00:01 and 1.00:00:00.";
        }

        if (!Enum.IsDefined(Backend))
        {
            yield return "Kastell:Storage:Backend must be FileSystem or S3.";
        }

        if (Backend != StorageBackend.S3)
        {
            yield break;
        }

        foreach (var problem in S3.Problems())
        {
            yield return problem;
        }
    }
}

/// <summary>An S3-compatible service. Buckets are named <c>&lt;BucketPrefix&gt;space-&lt;id&gt;</c>.</summary>
public sealed partial class S3StorageOptions
{
    /// <summary>The service's base URL, e.g. <c>https://s3.eu-central-1.amazonaws.com</c> or a MinIO/Ceph endpoint.</summary>
    public string ServiceUrl { get; set; } = "";

    public string Region { get; set; } = "us-east-1";

    public string AccessKey { get; set; } = "";

    public string SecretKey { get; set; } = "";

    /// <summary>Bucket in the path (<c>host/bucket/key</c>), as most self-hosted services need, instead of in the host name.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Prepended to every bucket name, so several installations can share one account.</summary>
    public string BucketPrefix { get; set; } = "kastell-";

    /// <summary>Plain HTTP is accepted only to a loopback address (a local test server).</summary>
    public IEnumerable<string> Problems()
    {
        if (!Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            yield return "Kastell:Storage:S3:ServiceUrl must be an absolute http(s) URL.";
        }
        else if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback)
        {
            yield return "Kastell:Storage:S3:ServiceUrl must use https (plain http only to a loopback address).";
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            yield return "Kastell:Storage:S3:Region is required.";
        }

        if (string.IsNullOrWhiteSpace(AccessKey) || string.IsNullOrWhiteSpace(SecretKey))
        {
            yield return "Kastell:Storage:S3:AccessKey and SecretKey are required.";
        }

        // A bucket name is at most 63 characters: the prefix leaves room for "space-" and 32 hex digits.
        if (!BucketPrefixPattern().IsMatch(BucketPrefix))
        {
            yield return "Kastell:Storage:S3:BucketPrefix must be 0 to 25 lower-case letters, digits or hyphens, starting with a letter or digit.";
        }
    }

    [GeneratedRegex("^([a-z0-9][a-z0-9-]{0,24})?$")]
    private static partial Regex BucketPrefixPattern();
}
