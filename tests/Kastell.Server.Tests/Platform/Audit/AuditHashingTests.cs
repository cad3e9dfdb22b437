using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Kastell.Server.Platform.Audit;

namespace Kastell.Server.Tests.Platform.Audit;

/// <summary>
/// The canonical encoding v1 is frozen: every stored hash depends on it. A straightforward reference implementation
/// of the ADR's description must produce the same hash as the optimized one, with and without null fields.
/// </summary>
public sealed class AuditHashingTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Hash_MatchesTheReferenceEncoding(bool withOptionalFields)
    {
        var e = new AuditEvent
        {
            Id = Guid.Parse("0193a0c4-1111-7abc-8def-0123456789ab"),
            HashVersion = 1,
            OrganizationId = withOptionalFields ? Guid.Parse("11111111-2222-3333-4444-555555555555") : null,
            Sequence = 1234567890123,
            OccurredAt = new DateTimeOffset(2026, 11, 23, 12, 0, 0, 123, TimeSpan.Zero),
            Type = AuthorizationEvents.AuthorizationDenied,
            Outcome = AuditOutcome.Denied,
            ActorKind = AuditActorKind.User,
            ActorId = withOptionalFields ? "actor ü ∑" : null,
            SpaceId = withOptionalFields ? Guid.NewGuid() : null,
            TargetType = "space",
            TargetId = withOptionalFields ? new string('x', 128) : null,
            ClientIp = "2001:db8::1",
            UserAgent = withOptionalFields ? "Mozilla/5.0 \"quoted\"" : null,
            CorrelationId = "abc",
            Details = withOptionalFields ? "{\"k\":\"v\"}" : null,
            PreviousHash = new string('0', 64),
        };

        Assert.Equal(Reference(e), AuditHashing.Compute(e));
        using var bytes = new MemoryStream();
        AuditHashing.WriteCanonical(bytes, e, e.Sequence);
        Assert.Equal(Reference(e), Convert.ToHexStringLower(SHA256.HashData(bytes.ToArray())));
    }

    private static string Reference(AuditEvent e)
    {
        using var buffer = new MemoryStream();
        void Write(string? value)
        {
            var length = new byte[4];
            if (value is null)
            {
                BinaryPrimitives.WriteInt32BigEndian(length, -1);
                buffer.Write(length);
                return;
            }

            var text = Encoding.UTF8.GetBytes(value);
            BinaryPrimitives.WriteInt32BigEndian(length, text.Length);
            buffer.Write(length);
            buffer.Write(text);
        }

        var c = CultureInfo.InvariantCulture;
        Write("kastell-audit/1");
        Write(e.Id.ToString("D"));
        Write(e.OrganizationId?.ToString("D"));
        Write(e.Sequence.ToString(c));
        Write(e.OccurredAt.UtcTicks.ToString(c));
        Write(e.Type.Value.ToString(c));
        Write(((int)e.Outcome).ToString(c));
        Write(((int)e.ActorKind).ToString(c));
        Write(e.ActorId);
        Write(e.SpaceId?.ToString("D"));
        Write(e.TargetType);
        Write(e.TargetId);
        Write(e.ClientIp);
        Write(e.UserAgent);
        Write(e.CorrelationId);
        Write(e.Details);
        Write(e.PreviousHash);
        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }
}
