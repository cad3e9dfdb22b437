using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Kastell.Authorization.Benchmarks.SpiceDb;

/// <summary>
/// A minimal gRPC client (HTTP/2 with prior knowledge over the library's Unix socket) for the one streaming RPC the
/// benchmark needs, PermissionsService/LookupResources. Messages are length-prefixed protobuf frames.
/// </summary>
internal sealed class SpiceDbStreamingClient(string unixSocketPath) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(unixSocketPath), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    {
        Timeout = TimeSpan.FromMinutes(5),
    };

    /// <summary>Streams all resource ids; returns them (the caller counts or compares them).</summary>
    public async Task<List<string>> LookupResourcesAsync(byte[] encodedRequest)
    {
        var framed = new byte[5 + encodedRequest.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), encodedRequest.Length);
        encodedRequest.CopyTo(framed, 5);

        using var request = new HttpRequestMessage(HttpMethod.Post, "http://spicedb/authzed.api.v1.PermissionsService/LookupResources")
        {
            Content = new ByteArrayContent(framed),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact, // h2c with prior knowledge, as gRPC expects
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var ids = new List<string>();
        await using (var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
        {
            var header = new byte[5];
            var message = new byte[256];
            while (await ReadFullyAsync(stream, header).ConfigureAwait(false))
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
                if (message.Length < length)
                {
                    message = new byte[length];
                }

                if (!await ReadFullyAsync(stream, message.AsMemory(0, length)).ConfigureAwait(false))
                {
                    throw new IOException("truncated gRPC frame");
                }

                ids.Add(SpiceDbMessages.ResourceObjectId(message.AsSpan(0, length)));
            }
        }

        ThrowOnGrpcError(response);
        return ids;
    }

    public void Dispose() => _http.Dispose();

    private static async Task<bool> ReadFullyAsync(Stream stream, Memory<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[read..]).ConfigureAwait(false);
            if (n == 0)
            {
                return read == 0 ? false : throw new IOException("truncated gRPC frame");
            }

            read += n;
        }

        return true;
    }

    /// <summary>gRPC reports errors in trailers (or in the headers of a trailers-only response).</summary>
    private static void ThrowOnGrpcError(HttpResponseMessage response)
    {
        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var values) || response.Headers.TryGetValues("grpc-status", out values)
            ? values.FirstOrDefault()
            : null;
        if (status is not null and not "0")
        {
            var message = response.TrailingHeaders.TryGetValues("grpc-message", out var messages) || response.Headers.TryGetValues("grpc-message", out messages)
                ? Uri.UnescapeDataString(messages.FirstOrDefault() ?? string.Empty)
                : string.Empty;
            throw new InvalidOperationException($"SpiceDB LookupResources failed: grpc-status {status} {message}");
        }
    }
}
