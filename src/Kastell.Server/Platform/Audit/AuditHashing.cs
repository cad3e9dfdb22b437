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
        using var buffer = new MemoryStream(512);
        WriteCanonical(buffer, e, sequence);
        return Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }

    /// <summary>The exact bytes that are hashed (also used by the benchmark that compares with <c>sha256sum</c>).</summary>
    public static void WriteCanonical(Stream buffer, AuditEvent e, long sequence)
    {
        if (e.HashVersion != 1)
        {
            throw new NotSupportedException($"Unknown audit hash version {e.HashVersion}.");
        }

        Write(buffer, "kastell-audit/1");
        Write(buffer, e.Id.ToString("D"));
        Write(buffer, e.OrganizationId?.ToString("D"));
        Write(buffer, sequence.ToString(CultureInfo.InvariantCulture));
        Write(buffer, e.OccurredAt.UtcTicks.ToString(CultureInfo.InvariantCulture));
        Write(buffer, ((int)e.Type).ToString(CultureInfo.InvariantCulture));
        Write(buffer, ((int)e.Outcome).ToString(CultureInfo.InvariantCulture));
        Write(buffer, ((int)e.ActorKind).ToString(CultureInfo.InvariantCulture));
        Write(buffer, e.ActorId);
        Write(buffer, e.SpaceId?.ToString("D"));
        Write(buffer, e.TargetType);
        Write(buffer, e.TargetId);
        Write(buffer, e.ClientIp);
        Write(buffer, e.UserAgent);
        Write(buffer, e.CorrelationId);
        Write(buffer, e.Details);
        Write(buffer, e.PreviousHash);
    }

    /// <summary>
    /// PostgreSQL keeps microseconds and Kastell's SQLite encoding 100 µs; cutting times to whole milliseconds before
    /// hashing keeps the hash stable across a round trip through either.
    /// </summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    private static void Write(Stream buffer, string? value)
    {
        Span<byte> length = stackalloc byte[4];
        if (value is null)
        {
            BinaryPrimitives.WriteInt32BigEndian(length, -1);
            buffer.Write(length);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        buffer.Write(length);
        buffer.Write(bytes);
    }
}
