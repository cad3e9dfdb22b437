using System.Buffers;
using System.Text;

namespace Kastell.Authorization.Benchmarks.SpiceDb;

/// <summary>
/// The few bits of the protobuf wire format the benchmark needs, so it does not depend on a gRPC/protobuf stack:
/// varints and length-delimited fields (strings and nested messages).
/// </summary>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64);

    public ProtoWriter String(int field, string value)
    {
        if (value.Length == 0)
        {
            return this; // proto3 omits default values
        }

        Tag(field, WireType.LengthDelimited);
        var length = Encoding.UTF8.GetByteCount(value);
        Varint((ulong)length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
        return this;
    }

    public ProtoWriter Message(int field, ReadOnlySpan<byte> encoded)
    {
        Tag(field, WireType.LengthDelimited);
        Varint((ulong)encoded.Length);
        _buffer.Write(encoded);
        return this;
    }

    public ProtoWriter Message(int field, ProtoWriter nested) => Message(field, nested._buffer.WrittenSpan);

    public ProtoWriter UInt(int field, ulong value)
    {
        Tag(field, WireType.Varint);
        Varint(value);
        return this;
    }

    public ProtoWriter Bool(int field, bool value) => value ? UInt(field, 1) : this;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void Tag(int field, WireType type) => Varint(((ulong)field << 3) | (ulong)type);

    private void Varint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _buffer.Advance(i);
    }
}

internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}
