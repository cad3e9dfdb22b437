namespace Kastell.Server.Platform.Storage;

/// <summary>
/// Containers as directories under <c>&lt;DataDirectory&gt;/objects</c>, owner-only. An upload is written to
/// <c>.incoming/</c> inside the container and renamed into place on commit (atomic on one file system), so a
/// half-written file never appears under an object name.
/// </summary>
public sealed class FileSystemObjectStore(string root) : IObjectStore
{
    private const string Incoming = ".incoming";

    public Task CreateContainerAsync(string container, CancellationToken cancellationToken = default)
    {
        var path = ContainerPath(container);
        CreateOwnerOnlyDirectory(root);
        CreateOwnerOnlyDirectory(path);
        CreateOwnerOnlyDirectory(Path.Combine(path, Incoming));
        return Task.CompletedTask;
    }

    public Task DeleteContainerAsync(string container, CancellationToken cancellationToken = default)
    {
        var path = ContainerPath(container);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        return Task.CompletedTask;
    }

    public Task<bool> ContainerExistsAsync(string container, CancellationToken cancellationToken = default) =>
        Task.FromResult(Directory.Exists(ContainerPath(container)));

    public Task<IObjectUpload> BeginUploadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        var final = ObjectPath(container, name);
        var incoming = Path.Combine(ContainerPath(container), Incoming);
        if (!Directory.Exists(incoming))
        {
            throw new ObjectStoreException($"Storage container {container} does not exist.");
        }

        var part = Path.Combine(incoming, Guid.NewGuid().ToString("N") + ".part");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return Task.FromResult<IObjectUpload>(new Upload(new FileStream(part, options), part, final));
    }

    public Task<Stream> OpenReadAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        var path = ObjectPath(container, name);
        try
        {
            return Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 4096, FileOptions.RandomAccess | FileOptions.Asynchronous));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectStoreException($"Object {name} is missing from storage container {container}.", ex);
        }
    }

    public Task DeleteAsync(string container, string name, CancellationToken cancellationToken = default)
    {
        File.Delete(ObjectPath(container, name));
        return Task.CompletedTask;
    }

    private string ContainerPath(string container) => Path.Combine(root, Checked(container));

    private string ObjectPath(string container, string name) => Path.Combine(ContainerPath(container), Checked(name));

    private static string Checked(string name) => StorageNames.Check(name);

    private static void CreateOwnerOnlyDirectory(string path) => StorageNames.CreateOwnerOnlyDirectory(path);

    private sealed class Upload(FileStream content, string part, string final) : IObjectUpload
    {
        private bool _committed;

        public Stream Content => content;

        public async Task CommitAsync(CancellationToken cancellationToken = default)
        {
            await content.FlushAsync(cancellationToken);
            content.Flush(flushToDisk: true);
            await content.DisposeAsync();
            File.Move(part, final, overwrite: false);
            _committed = true;
        }

        public async ValueTask DisposeAsync()
        {
            await content.DisposeAsync();
            if (!_committed)
            {
                File.Delete(part);
            }
        }
    }
}
