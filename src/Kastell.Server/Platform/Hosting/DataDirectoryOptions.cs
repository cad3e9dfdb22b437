using Microsoft.Extensions.Options;

namespace Kastell.Server.Platform.Hosting;

/// <summary>The top-level <c>Kastell:DataDirectory</c>: where SQLite, the key files, the files of every Space and the certificate live.</summary>
public sealed class DataDirectoryOptions
{
    /// <summary>The key sits directly in the <c>Kastell</c> section; the areas' own sections beside it are not bound here.</summary>
    public const string Section = "Kastell";

    /// <summary>Default: <c>data</c> beside the working directory.</summary>
    [OptionRequired]
    public string DataDirectory { get; set; } = "data";

    /// <summary>The absolute data directory.</summary>
    public string ResolveDataDirectory() => Path.GetFullPath(DataDirectory);
}

[OptionsValidator]
internal sealed partial class DataDirectoryOptionsValidator : IValidateOptions<DataDirectoryOptions>;
