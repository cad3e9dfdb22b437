using System.Text;

namespace Kastell.Authorization.Benchmarks.SpiceDb;

/// <summary>Walks the top-level fields of one protobuf message (enough to read a permissionship or an object id).</summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> message)
{
    private readonly ReadOnlySpan<byte> _message = message;
    private int _position;

    public int Field { get; private set; }

    public WireType Type { get; private set; }

    public ulong VarintValue { get; private set; }

    public ReadOnlySpan<byte> Bytes { get; private set; }

    public readonly string BytesAsString => Encoding.UTF8.GetString(Bytes);

    public bool Next()
    {
        if (_position >= _message.Length)
        {
            return false;
        }

        var tag = ReadVarint();
        Field = (int)(tag >> 3);
        Type = (WireType)(tag & 7);
        switch (Type)
        {
            case WireType.Varint:
                VarintValue = ReadVarint();
                break;
            case WireType.LengthDelimited:
                var length = (int)ReadVarint();
                Bytes = _message.Slice(_position, length);
                _position += length;
                break;
            case WireType.Fixed64:
                _position += 8;
                break;
            case WireType.Fixed32:
                _position += 4;
                break;
            default:
                throw new InvalidDataException($"unsupported protobuf wire type {Type}");
        }

        return true;
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = _message[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
