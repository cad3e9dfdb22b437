using System.Buffers;
using System.Text.Json;

namespace Kastell.Oscal.Reading;

/// <summary>
/// Pulls JSON tokens one at a time from a stream through <see cref="Utf8JsonReader"/>, holding only a window of the
/// input: the window grows only to fit one token, up to <see cref="OscalReaderOptions.MaxTokenBytes"/>. A fresh reader is
/// made for every token from the saved <see cref="JsonReaderState"/>; that costs a struct initialisation and lets the
/// recursive-descent <see cref="ModelReader"/> ask for the next token anywhere without holding a ref struct.
/// Malformed input ends the stream with <see cref="Error"/> set; nothing is thrown for it.
/// </summary>
internal sealed class JsonTokenStream : IDisposable
{
    private const int InitialBufferBytes = 64 * 1024;
    private const int PooledStringMaxChars = 128;
    private const int PooledBufferMaxBytes = 1024 * 1024;
    private const int PooledStringsMax = 200_000;

    private readonly Stream _stream;
    private readonly OscalReaderOptions _options;
    private readonly int _maxWindow;

    // Catalogs repeat the same names, namespaces and labels thousands of times; sharing them keeps the model small.
    private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _poolLookup;

    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _final;
    private bool _started;
    private JsonReaderState _state;
    private long _offsetOfStart;
    private long _bytesRead;
    private bool _replay;

    public JsonTokenStream(Stream stream, OscalReaderOptions options)
    {
        _stream = stream;
        _options = options;
        _maxWindow = Math.Max(options.MaxTokenBytes, InitialBufferBytes) + 64;
        _buffer = Allocate(InitialBufferBytes);
        _state = new JsonReaderState(new JsonReaderOptions
        {
            // One more than ours, so our own check (with a pointer) always fires first.
            MaxDepth = options.MaxDepth + 1,
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        });
        _poolLookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The current token.</summary>
    public JsonTokenType TokenType { get; private set; }

    /// <summary>The text of the current property name or string token.</summary>
    public string? Text { get; private set; }

    /// <summary>Where the current token starts, in bytes from the start of the document.</summary>
    public long TokenOffset { get; private set; }

    /// <summary>Containers open after the current token.</summary>
    public int Depth { get; private set; }

    /// <summary>Why the stream ended early; null while it is healthy.</summary>
    public (OscalErrorCode Code, string Message, long Offset)? Error { get; private set; }

    /// <summary>Makes the next <see cref="Next"/> return the current token again (one token of look-ahead).</summary>
    public void Unread() => _replay = true;

    /// <summary>Moves to the next token; false at the end of the document or on an error (then <see cref="Error"/> is set).</summary>
    public bool Next()
    {
        if (_replay)
        {
            _replay = false;
            return true;
        }

        if (Error is not null)
        {
            return false;
        }

        while (true)
        {
            var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final, _state);
            bool read;
            try
            {
                read = reader.Read();
                if (read)
                {
                    Capture(ref reader);
                }
            }
            catch (JsonException e)
            {
                return Fail(OscalErrorCode.InvalidJson, $"invalid JSON: {Describe(e)}", _offsetOfStart);
            }
            catch (InvalidOperationException)
            {
                // GetString/CopyString refuse invalid UTF-8 inside a string.
                return Fail(OscalErrorCode.InvalidJson, "invalid JSON: a string is not valid UTF-8", _offsetOfStart + reader.TokenStartIndex);
            }

            var consumed = (int)reader.BytesConsumed;
            _start += consumed;
            _offsetOfStart += consumed;
            _state = reader.CurrentState;
            if (read)
            {
                return Track();
            }

            if (_final)
            {
                // A complete document and nothing after it: the end.
                return false;
            }

            if (!Fill())
            {
                return false;
            }
        }
    }

    public void Dispose()
    {
        Release(_buffer);
        _buffer = [];
    }

    // Small windows come from the shared pool; a window grown for one huge token is not kept in the pool afterwards,
    // so a hostile document cannot leave the process holding tens of megabytes.
    private static byte[] Allocate(int size) =>
        size <= PooledBufferMaxBytes ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    private static void Release(byte[] buffer)
    {
        if (buffer.Length is > 0 and <= PooledBufferMaxBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Capture(ref Utf8JsonReader reader)
    {
        TokenType = reader.TokenType;
        TokenOffset = _offsetOfStart + reader.TokenStartIndex;
        Text = reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName ? GetString(ref reader) : null;
    }

    private bool Track()
    {
        switch (TokenType)
        {
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                Depth++;
                if (Depth > _options.MaxDepth)
                {
                    return Fail(OscalErrorCode.NestingTooDeep, $"JSON nested deeper than {_options.MaxDepth} levels", TokenOffset);
                }

                break;
            case JsonTokenType.EndObject or JsonTokenType.EndArray:
                Depth--;
                break;
        }

        return true;
    }

    private string GetString(ref Utf8JsonReader reader)
    {
        var length = reader.ValueSpan.Length;
        if (length > PooledStringMaxChars)
        {
            return reader.GetString()!;
        }

        // The UTF-16 length never exceeds the UTF-8 length, escaped or not.
        Span<char> chars = stackalloc char[PooledStringMaxChars];
        var written = reader.CopyString(chars);
        var text = chars[..written];
        if (_poolLookup.TryGetValue(text, out var pooled))
        {
            return pooled;
        }

        var created = text.ToString();
        if (_pool.Count < PooledStringsMax)
        {
            _pool.Add(created, created);
        }

        return created;
    }

    private bool Fill()
    {
        var pending = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            _start = 0;
            _end = pending;
        }

        var capacity = Math.Min(_buffer.Length, _maxWindow);
        if (_end >= capacity)
        {
            // One token fills the whole window: grow it, up to the token limit.
            if (capacity >= _maxWindow)
            {
                return Fail(OscalErrorCode.TokenTooLarge, $"a string, number or property name longer than {_options.MaxTokenBytes} bytes", _offsetOfStart);
            }

            var larger = Allocate(Math.Min(_buffer.Length * 2, _maxWindow));
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            Release(_buffer);
            _buffer = larger;
            capacity = Math.Min(_buffer.Length, _maxWindow);
        }

        if (!_started)
        {
            _started = true;
            if (_stream.CanSeek && _stream.Length - _stream.Position > _options.MaxDocumentBytes)
            {
                return Fail(OscalErrorCode.DocumentTooLarge, $"the document has {_stream.Length - _stream.Position} bytes, more than the limit of {_options.MaxDocumentBytes}", 0);
            }
        }

        var room = (int)Math.Min(capacity - _end, _options.MaxDocumentBytes + 1 - _bytesRead);
        var read = room > 0 ? _stream.Read(_buffer, _end, room) : 0;
        if (_bytesRead == 0 && read >= 3 && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF)
        {
            // A UTF-8 byte order mark is allowed before JSON text (RFC 8259 §8.1 lets parsers ignore it).
            _start = 3;
            _offsetOfStart = 3;
        }

        _bytesRead += read;
        _end += read;
        if (_bytesRead > _options.MaxDocumentBytes)
        {
            return Fail(OscalErrorCode.DocumentTooLarge, $"the document is larger than the limit of {_options.MaxDocumentBytes} bytes", _options.MaxDocumentBytes);
        }

        if (read == 0)
        {
            _final = true;
        }

        return true;
    }

    private bool Fail(OscalErrorCode code, string message, long offset)
    {
        Error ??= (code, message, offset);
        return false;
    }

    private static string Describe(JsonException e)
    {
        // The runtime's message ends with its own position; ours is absolute, so keep only the description.
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut].TrimEnd(' ', '|', '.');
        }

        return e.LineNumber is { } line && e.BytePositionInLine is { } column
            ? $"{message} (line {line + 1}, byte {column + 1})"
            : message;
    }
}
