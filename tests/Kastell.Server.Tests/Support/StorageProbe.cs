using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Kastell.Server.Tests.Support;

/// <summary>
/// What a test needs to see of a storage backend beyond <c>IObjectStore</c>: what a container holds, and the
/// staging area uploads pass through (which must be empty once no upload runs).
/// </summary>
public abstract class StorageProbe
{
    public abstract Task<int> CountObjectsAsync(string container, CancellationToken cancellationToken);

    public abstract string StagingDirectory(string container);

    public static int FilesIn(string directory) => Directory.Exists(directory) ? Directory.GetFiles(directory).Length : 0;
}

public sealed class FileSystemStorageProbe(string root) : StorageProbe
{
    public string ContainerDirectory(string container) => Path.Combine(root, container);

    public override Task<int> CountObjectsAsync(string container, CancellationToken cancellationToken) =>
        Task.FromResult(FilesIn(ContainerDirectory(container)));

    public override string StagingDirectory(string container) => Path.Combine(ContainerDirectory(container), ".incoming");
}

public sealed class S3StorageProbe(string bucketPrefix, string dataDirectory) : StorageProbe
{
    public override async Task<int> CountObjectsAsync(string container, CancellationToken cancellationToken)
    {
        using var client = new AmazonS3Client(
            new BasicAWSCredentials(S3Server.AccessKey, S3Server.SecretKey),
            new AmazonS3Config { ServiceURL = S3Server.ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucketPrefix + container }, cancellationToken);
        return page.S3Objects?.Count ?? 0;
    }

    public override string StagingDirectory(string container) => Path.Combine(dataDirectory, "objects-spool");
}

/// <summary>SQLite, key file, files in S3 buckets.</summary>
public sealed class SqliteS3Host(Infrastructure.SmtpSink mail) : SqliteHost(mail)
{
    private readonly string _bucketPrefix = "t" + Guid.NewGuid().ToString("N")[..10] + "-";

    public override StorageProbe Storage => new S3StorageProbe(_bucketPrefix, DataDirectory);

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => S3Server.Settings(_bucketPrefix);
}

/// <summary>PostgreSQL, KEKs on the SoftHSM2 token, files in S3 buckets.</summary>
public sealed class PostgresHsmS3Host(Infrastructure.PostgresCluster cluster, Infrastructure.SmtpSink mail) : PostgresHost(cluster, mail)
{
    private readonly string _bucketPrefix = "t" + Guid.NewGuid().ToString("N")[..10] + "-";
    private readonly IEnumerable<KeyValuePair<string, string?>> _keys = SoftHsm.Settings(SoftHsm.UniqueKeyLabel());

    public override StorageProbe Storage => new S3StorageProbe(_bucketPrefix, DataDirectory);

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [.. _keys, .. S3Server.Settings(_bucketPrefix)];
}
