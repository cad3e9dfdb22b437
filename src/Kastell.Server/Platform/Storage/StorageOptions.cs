using System.Text.RegularExpressions;
using Kastell.Server.Platform.Hosting;
using Microsoft.Extensions.Options;

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
    public const string Section = "Kastell:Storage";

    [OptionEnum]
    public StorageBackend Backend { get; set; } = StorageBackend.FileSystem;

    public S3StorageOptions S3 { get; set; } = new();

    /// <summary>The largest upload accepted, in bytes (default 100 MiB, at most 10 GiB).</summary>
    [OptionRange(typeof(long), "1", "10737418240")]
    public long MaxUploadBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>clamd's socket: <c>unix:/path</c> (Debian's default below) or <c>tcp://host:port</c>.</summary>
    public string Clamd { get; set; } = "unix:/var/run/clamav/clamd.ctl";

    /// <summary>How long one scan may take before the upload is quarantined instead.</summary>
    [OptionRange(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ScanTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often quarantined files are scanned again (<see cref="QuarantineRescanner"/>); zero switches it off.</summary>
    [OptionRange(typeof(TimeSpan), "00:00:01", "1.00:00:00", AllowZero = true)]
    public TimeSpan RescanInterval { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>clamd's address always; the S3 settings only when S3 is the backend.</summary>
[OptionsValidator]
internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>, IOptionsRules<StorageOptions>
{
    public IEnumerable<string> Problems(StorageOptions options)
    {
        var clamd = options.Clamd;
        if (!clamd.StartsWith("unix:/", StringComparison.Ordinal)
            && !(Uri.TryCreate(clamd, UriKind.Absolute, out var tcp) && tcp.Scheme == "tcp" && tcp.Port > 0))
        {
            yield return "Kastell:Storage:Clamd must be unix:/path/to/socket or tcp://host:port.";
        }

        if (options.Backend != StorageBackend.S3)
        {
            yield break;
        }

        var s3 = options.S3;
        // Plain HTTP is accepted only to a loopback address (a local test server).
        if (!Uri.TryCreate(s3.ServiceUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            yield return "Kastell:Storage:S3:ServiceUrl must be an absolute http(s) URL.";
        }
        else if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback)
        {
            yield return "Kastell:Storage:S3:ServiceUrl must use https (plain http only to a loopback address).";
        }

        if (string.IsNullOrWhiteSpace(s3.Region))
        {
            yield return "Kastell:Storage:S3:Region is required.";
        }

        // Neither value is echoed: the secret key is a credential.
        if (string.IsNullOrWhiteSpace(s3.AccessKey))
        {
            yield return "Kastell:Storage:S3:AccessKey is required.";
        }

        if (string.IsNullOrWhiteSpace(s3.SecretKey))
        {
            yield return "Kastell:Storage:S3:SecretKey is required (pass it through the environment: Kastell__Storage__S3__SecretKey).";
        }

        // A bucket name is at most 63 characters: the prefix leaves room for "space-" and 32 hex digits.
        if (!BucketPrefixPattern().IsMatch(s3.BucketPrefix))
        {
            yield return "Kastell:Storage:S3:BucketPrefix must be 0 to 25 lower-case letters, digits or hyphens, starting with a letter or digit.";
        }
    }

    [GeneratedRegex("^([a-z0-9][a-z0-9-]{0,24})?$")]
    private static partial Regex BucketPrefixPattern();
}

/// <summary>An S3-compatible service. Buckets are named <c>&lt;BucketPrefix&gt;space-&lt;id&gt;</c>.</summary>
public sealed class S3StorageOptions
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
}
