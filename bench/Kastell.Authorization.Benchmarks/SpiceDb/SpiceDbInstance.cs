using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Kastell.Authorization.Benchmarks.SpiceDb;

/// <summary>
/// One embedded SpiceDB (memdb datastore) inside this process. Unary calls cross the C ABI: our protobuf bytes go in,
/// the library unmarshals them, calls SpiceDB's gRPC server over an in-memory connection (bufconn) and marshals the
/// response back. LookupResources goes through the library's gRPC proxy on a Unix socket (<see cref="SpiceDbStreamingClient"/>).
/// </summary>
internal sealed unsafe class SpiceDbInstance : IDisposable
{
    /// <summary>SpiceDB's default limit of updates per WriteRelationships call.</summary>
    private const int WriteBatchSize = 1000;

    private readonly ulong _handle;
    private bool _disposed;

    private SpiceDbInstance(ulong handle, string streamingAddress)
    {
        _handle = handle;
        Streaming = new SpiceDbStreamingClient(streamingAddress);
    }

    public SpiceDbStreamingClient Streaming { get; }

    public static SpiceDbInstance Start()
    {
        var options = Encoding.UTF8.GetBytes("{\"datastore\":\"memory\"}\0");
        nint result;
        fixed (byte* optionsPointer = options)
        {
            result = SpiceDbNative.Start(optionsPointer);
        }

        using var json = JsonDocument.Parse(TakeString(result));
        var root = json.RootElement;
        if (!root.GetProperty("success").GetBoolean())
        {
            throw new InvalidOperationException("spicedb_start failed: " + root.GetProperty("error").GetString());
        }

        var data = root.GetProperty("data");
        return new SpiceDbInstance(data.GetProperty("handle").GetUInt64(), data.GetProperty("streaming_address").GetString()!);
    }

    public void WriteSchema(string schema) => Call(&CallWriteSchema, SpiceDbMessages.WriteSchemaRequest(schema));

    public void WriteRelationships(IReadOnlyList<(string Object, string Relation, string User)> tuples)
    {
        for (var start = 0; start < tuples.Count; start += WriteBatchSize)
        {
            var batch = tuples.Skip(start).Take(WriteBatchSize);
            Call(&CallWriteRelationships, SpiceDbMessages.WriteRelationshipsRequest(batch));
        }
    }

    /// <summary>One CheckPermission with a pre-encoded request; the response is decoded (that cost is part of the call).</summary>
    public bool Check(byte[] encodedRequest)
    {
        nint response, error;
        int length;
        fixed (byte* request = encodedRequest)
        {
            SpiceDbNative.CheckPermission(_handle, request, encodedRequest.Length, out response, out length, out error);
        }

        ThrowOnError(error);
        try
        {
            return SpiceDbMessages.IsAllowed(new ReadOnlySpan<byte>((void*)response, length));
        }
        finally
        {
            SpiceDbNative.FreeBytes(response);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Streaming.Dispose();
        SpiceDbNative.Free(SpiceDbNative.Dispose(_handle));
    }

    private void Call(delegate*<ulong, byte*, int, out nint, out int, out nint, void> rpc, byte[] encodedRequest)
    {
        nint response, error;
        fixed (byte* request = encodedRequest)
        {
            rpc(_handle, request, encodedRequest.Length, out response, out _, out error);
        }

        ThrowOnError(error);
        SpiceDbNative.FreeBytes(response);
    }

    private static void CallWriteSchema(ulong handle, byte* request, int length, out nint response, out int responseLength, out nint error) =>
        SpiceDbNative.WriteSchema(handle, request, length, out response, out responseLength, out error);

    private static void CallWriteRelationships(ulong handle, byte* request, int length, out nint response, out int responseLength, out nint error) =>
        SpiceDbNative.WriteRelationships(handle, request, length, out response, out responseLength, out error);

    private static void ThrowOnError(nint error)
    {
        if (error != 0)
        {
            throw new InvalidOperationException("SpiceDB: " + TakeString(error));
        }
    }

    private static string TakeString(nint text)
    {
        try
        {
            return Marshal.PtrToStringUTF8(text) ?? string.Empty;
        }
        finally
        {
            SpiceDbNative.Free(text);
        }
    }
}
