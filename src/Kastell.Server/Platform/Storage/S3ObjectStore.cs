using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Kastell.Server.Platform.Storage;

/// <summary>
/// Containers as buckets (<c>&lt;BucketPrefix&gt;&lt;container&gt;</c>) on an S3-compatible service. An upload is
/// spooled (ciphertext only) to an owner-only local file and sent with one PutObject on commit: S3 makes an object
/// visible only when its PUT completes, so a failed or abandoned upload never appears under an object name.
/// Every backend failure becomes an <see cref="ObjectStoreException"/> naming the operation, not the content.
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucketPrefix;
    private readonly string _spool;

    public S3ObjectStore(S3StorageOptions options, string spoolDirectory)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            AuthenticationRegion = options.Region,
            ForcePathStyle = options.ForcePathStyle,
            // Checksums only where S3 requires them: trailing checksums are not understood by every S3-compatible
            // service, and each chunk already carries an AES-GCM tag.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 2,
            Timeout = TimeSpan.FromSeconds(100),
        };
        _client = new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
        _bucketPrefix = options.BucketPrefix;
        _spool = spoolDirectory;
    }

    public Task CreateContainerAsync(string container, CancellationToken cancellationToken = default) =>
        Guard("create storage container " + container, async () =>
        {
            try
            {
                await _client.PutBucketAsync(new PutBucketRequest { BucketName = Bucket(container) }, cancellationToken);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou")
            {
                // Creating is idempotent, as for the file-system backend.
            }
        });

    public Task DeleteContainerAsync(string container, CancellationToken cancellationToken = default) =>
        Guard("delete storage container " + container, async () =>
        {
            var bucket = Bucket(container);
            try
            {
                // A bucket must be empty before it can be deleted.
                ListObjectsV2Response page;
                do
                {
                    page = await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1000 }, cancellationToken);
                    foreach (var item in page.S3Objects ?? [])
                    {
                        await _client.DeleteObjectAsync(bucket, item.Key, cancellationToken);
                    }
                }
                while (page.IsTruncated == true);

                await _client.DeleteBucketAsync(bucket, cancellationToken);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                // Already gone.
            }
        });

    public Task<bool> ContainerExistsAsync(string container, CancellationToken cancellationToken = default) =>
        Guard("look up storage container " + container, async () =>
        {
            try
            {
                await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Bucket(container), MaxKeys = 1 }, cancellationToken);
                return true;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        });

    public async Task<IObjectUpload> BeginUploadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        StorageNames.Check(name);
        if (!await ContainerExistsAsync(container, cancellationToken))
        {
            throw new ObjectStoreException($"Storage container {container} does not exist.");
        }

        StorageNames.CreateOwnerOnlyDirectory(_spool);
        var part = Path.Combine(_spool, Guid.NewGuid().ToString("N") + ".part");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new Upload(this, new FileStream(part, options), part, container, name);
    }

    public Task<Stream> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default) =>
        Guard($"read object {name} from storage container {container}", async () =>
        {
            var bucket = Bucket(container);
            StorageNames.Check(name);
            try
            {
                var head = await _client.GetObjectMetadataAsync(bucket, name, cancellationToken);
                return (Stream)new S3RangeReadStream(this, bucket, name, head.ContentLength);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                throw new ObjectStoreException($"Object {name} is missing from storage container {container}.", ex);
            }
        });

    public Task DeleteAsync(string container, string name, CancellationToken cancellationToken = default) =>
        Guard($"delete object {name} from storage container {container}", async () =>
        {
            StorageNames.Check(name);
            await _client.DeleteObjectAsync(Bucket(container), name, cancellationToken);
        });

    public void Dispose() => _client.Dispose();

    private string Bucket(string container) => _bucketPrefix + StorageNames.Check(container);

    /// <summary>Opens the stored bytes from <paramref name="from"/> to the end, for <see cref="S3RangeReadStream"/>.</summary>
    internal Task<Stream> OpenRangeAsync(string bucket, string key, long from, long length, CancellationToken cancellationToken) =>
        Guard($"read object {key}", async () =>
        {
            var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, ByteRange = new ByteRange(from, length - 1) }, cancellationToken);
            return response.ResponseStream;
        });

    private static async Task Guard(string operation, Func<Task> action) =>
        await Guard(operation, async () =>
        {
            await action();
            return true;
        });

    private static async Task<T> Guard<T>(string operation, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
        {
            // The service's error code and status are enough to act on; its message may quote request details.
            var detail = ex is AmazonServiceException service ? $"{service.ErrorCode ?? "error"} (HTTP {(int)service.StatusCode})" : "unreachable";
            throw new ObjectStoreException($"S3 storage could not {operation}: {detail}.", ex);
        }
    }

    private sealed class Upload(S3ObjectStore store, FileStream content, string part, string container, string name) : IObjectUpload
    {
        public Stream Content => content;

        public async Task CommitAsync(CancellationToken cancellationToken = default)
        {
            await content.FlushAsync(cancellationToken);
            content.Position = 0;
            await Guard($"store object {name} in storage container {container}", async () =>
            {
                await store._client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = store.Bucket(container),
                    Key = name,
                    InputStream = content,
                    AutoCloseStream = false,
                    ContentType = "application/octet-stream",
                    // A signed payload in one piece: aws-chunked bodies are stored verbatim by some S3-compatible
                    // services (s3rver among them), which would corrupt the object. The spooled file is seekable,
                    // so the SDK can hash it before sending.
                    UseChunkEncoding = false,
                }, cancellationToken);
            });
        }

        public async ValueTask DisposeAsync()
        {
            await content.DisposeAsync();
            File.Delete(part);
        }
    }
}
