using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Kastell.Server.Platform.Audit;

/// <summary>
/// The canonical encoding (version 1) and SHA-256 chaining of audit events: a version tag, then every field in a
/// fixed order, each as a 4-byte big-endian length (-1 for null) and its UTF-8 text, then the previous hash.
/// Length prefixes make the encoding unambiguous; texts (not provider-specific binary forms) make it identical on
/// SQLite and PostgreSQL. A new encoding gets a new version number and both stay verifiable.
/// </summary>
public static class AuditHashing
{
    public const int CurrentVersion = 1;

    /// <summary>The "previous hash" of the first event of every chain.</summary>
    public static readonly string Genesis = new('0', 64);

    public static string Compute(AuditEvent e) => Compute(e, e.Sequence);

    /// <summary>The hash <paramref name="e"/> would have at <paramref name="sequence"/>; used to tell reordering from modification.</summary>
    public static string Compute(AuditEvent e, long sequence)
    {
        // Verification hashes every event of a chain: one reused buffer per thread and no intermediate strings.
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        WriteCanonical(buffer, e, sequence);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Whether <paramref name="e"/>, hashed at <paramref name="sequence"/> with the current encoding, gives exactly its
    /// stored <see cref="AuditEvent.Hash"/> (lower-case hex, compared as text). Allocates nothing: verification calls it
    /// once per event.
    /// </summary>
    public static bool Matches(AuditEvent e, long sequence)
    {
        if (e.HashVersion != CurrentVersion)
        {
            return false;
        }

        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        WriteCanonical(buffer, e, sequence);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, hash);
        Span<char> hex = stackalloc char[SHA256.HashSizeInBytes * 2];
        return Convert.TryToHexStringLower(hash, hex, out _) && hex.SequenceEqual(e.Hash);
    }

    /// <summary>The exact bytes that are hashed (also used by the benchmark that compares with <c>sha256sum</c>).</summary>
    public static void WriteCanonical(Stream output, AuditEvent e, long sequence)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        WriteCanonical(buffer, e, sequence);
        output.Write(buffer.WrittenSpan);
    }

    private static void WriteCanonical(ArrayBufferWriter<byte> buffer, AuditEvent e, long sequence)
    {
        if (e.HashVersion != 1)
        {
            throw new NotSupportedException($"Unknown audit hash version {e.HashVersion}.");
        }

        Write(buffer, "kastell-audit/1");
        Write<Guid>(buffer, e.Id);
        Write<Guid>(buffer, e.OrganizationId);
        Write<long>(buffer, sequence);
        Write<long>(buffer, e.OccurredAt.UtcTicks);
        Write<int>(buffer, e.Type.Value);
        Write<int>(buffer, (int)e.Outcome);
        Write<int>(buffer, (int)e.ActorKind);
        Write(buffer, e.ActorId);
        Write<Guid>(buffer, e.SpaceId);
        Write(buffer, e.TargetType);
        Write(buffer, e.TargetId);
        Write(buffer, e.ClientIp);
        Write(buffer, e.UserAgent);
        Write(buffer, e.CorrelationId);
        Write(buffer, e.Details);
        Write(buffer, e.PreviousHash);
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>
    /// PostgreSQL keeps microseconds and Kastell's SQLite encoding 100 µs; cutting times to whole milliseconds before
    /// hashing keeps the hash stable across a round trip through either.
    /// </summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    /// <summary>A 4-byte big-endian length (-1 for null), then the UTF-8 text.</summary>
    private static void Write(ArrayBufferWriter<byte> buffer, string? value)
    {
        if (value is null)
        {
            WriteNull(buffer);
            return;
        }

        var span = buffer.GetSpan(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var written = Encoding.UTF8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span, written);
        buffer.Advance(4 + written);
    }

    /// <summary>Numbers and GUIDs as invariant text ("D" for GUIDs), formatted straight into the buffer.</summary>
    private static void Write<T>(ArrayBufferWriter<byte> buffer, T? value)
        where T : struct, IUtf8SpanFormattable
    {
        if (value is not { } present)
        {
            WriteNull(buffer);
            return;
        }

        var span = buffer.GetSpan(4 + 64);
        if (!present.TryFormat(span[4..], out var written, typeof(T) == typeof(Guid) ? "D" : default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A number or GUID did not fit its buffer.");
        }

        BinaryPrimitives.WriteInt32BigEndian(span, written);
        buffer.Advance(4 + written);
    }

    private static void WriteNull(ArrayBufferWriter<byte> buffer)
    {
        BinaryPrimitives.WriteInt32BigEndian(buffer.GetSpan(4), -1);
        buffer.Advance(4);
    }
}
