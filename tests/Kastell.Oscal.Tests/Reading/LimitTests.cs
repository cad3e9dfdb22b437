using System.Text;
using Kastell.Oscal.Reading;

namespace Kastell.Oscal.Tests.Reading;

/// <summary>
/// Hostile sizes and shapes: each is refused with a pointer, and reading it allocates a bounded amount of memory no
/// matter how large the input (the inputs are generated on the fly, never held in memory by the test).
/// </summary>
public sealed class LimitTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void TenLevelsDeeperThanTheLimit_IsRefusedWithThePointerWhereItHappened()
    {
        var options = OscalReaderOptions.Default;
        var depth = options.MaxDepth + 10;
        var json = new StringBuilder("{\"catalog\":{\"x\":");
        for (var i = 2; i < depth; i++)
        {
            json.Append('[');
        }

        var error = Assert.Single(OscalReader.Read(Encoding.UTF8.GetBytes(json.ToString())).Errors);

        Assert.Equal(OscalErrorCode.NestingTooDeep, error.Code);
        Assert.Equal("JSON nested deeper than 64 levels", error.Message);
        Assert.StartsWith("/catalog/x", error.Pointer, StringComparison.Ordinal);
    }

    [Fact]
    public void ControlsNestedTenLevelsDeeperThanOscalAllows_AreRefused()
    {
        var levels = OscalReaderOptions.Default.MaxOscalNesting + 10;
        var json = new StringBuilder("""{"catalog":{"uuid":"u","metadata":{"title":"T","last-modified":"x","version":"1","oscal-version":"1.1.3"},"controls":[""");
        for (var i = 0; i < levels; i++)
        {
            json.Append($$"""{"id":"c{{i}}","title":"C","controls":[""");
        }

        json.Append(new string(']', 1)).Append(string.Concat(Enumerable.Repeat("}]", levels))).Append("}}");

        var error = Assert.Single(OscalReader.Read(Encoding.UTF8.GetBytes(json.ToString())).Errors);

        Assert.Equal(OscalErrorCode.OscalNestingTooDeep, error.Code);
        Assert.Equal("controls nested deeper than 16 levels", error.Message);
        Assert.Equal("/catalog/controls/0" + string.Concat(Enumerable.Repeat("/controls/0", 16)), error.Pointer);
    }

    [Fact]
    public void AMillionOpenBrackets_StopAtTheDepthLimit_WithoutExhaustingTheStack()
    {
        using var stream = new GeneratedStream(Encoding.UTF8.GetBytes("{\"catalog\":{\"x\":"), (byte)'[', 1_000_000, []);

        var error = Assert.Single(OscalReader.Read(stream).Errors);

        Assert.Equal(OscalErrorCode.NestingTooDeep, error.Code);
    }

    [Fact]
    public void A100MiBDocument_IsReadInBoundedMemory_AndOneByteMoreIsRefused()
    {
        // 100 MiB of small unknown values: skipped members are never kept, so the allocation stays near the window.
        var head = Encoding.UTF8.GetBytes("{\"catalog\":{\"x\":[");
        var tail = Encoding.UTF8.GetBytes("0]}}");
        var fill = (int)(100 * MiB) - head.Length - tail.Length;
        var filler = Encoding.UTF8.GetBytes("0,");

        var (error, allocated) = ReadMeasured(() => new GeneratedStream(head, filler, fill / 2, tail));
        Assert.Equal(OscalErrorCode.MissingProperty, error.Code);
        Assert.Equal("/catalog/uuid", error.Pointer);
        Assert.True(allocated < 16 * MiB, $"allocated {allocated / MiB} MiB reading 100 MiB");

        var (tooLarge, allocatedTooLarge) = ReadMeasured(() => new GeneratedStream(head, filler, (fill / 2) + 1, tail));
        Assert.Equal(OscalErrorCode.DocumentTooLarge, tooLarge.Code);
        Assert.True(allocatedTooLarge < 16 * MiB, $"allocated {allocatedTooLarge / MiB} MiB refusing 100 MiB + 1");
    }

    [Fact]
    public void A100MiBString_IsRefusedAtTheTokenLimit_InBoundedMemory()
    {
        var (error, allocated) = ReadMeasured(() => new GeneratedStream(Encoding.UTF8.GetBytes("{\"catalog\":{\"uuid\":\""), (byte)'a', 100 * MiB, Encoding.UTF8.GetBytes("\"}}")));

        Assert.Equal(OscalErrorCode.TokenTooLarge, error.Code);
        Assert.Equal("/catalog/uuid", error.Pointer);
        Assert.True(allocated < 80 * MiB, $"allocated {allocated / MiB} MiB");
    }

    [Fact]
    public void ManySmallKeptValues_StopAtTheValueLimit()
    {
        var options = new OscalReaderOptions { MaxValues = 1000 };
        var head = Encoding.UTF8.GetBytes("{\"catalog\":{\"uuid\":\"u\",\"params\":[{\"id\":\"p\",\"values\":[");
        using var stream = new GeneratedStream(head, Encoding.UTF8.GetBytes("\"a\","), 2000, Encoding.UTF8.GetBytes("\"a\"]}]}}"));

        var error = Assert.Single(OscalReader.Read(stream, options).Errors);

        Assert.Equal(OscalErrorCode.TooManyValues, error.Code);
        Assert.StartsWith("/catalog/params/0/values/", error.Pointer, StringComparison.Ordinal);
    }

    [Fact]
    public void ASeekableStreamOverTheLimit_IsRefusedBeforeReading()
    {
        using var stream = new MemoryStream(new byte[2048]);

        var error = Assert.Single(OscalReader.Read(stream, new OscalReaderOptions { MaxDocumentBytes = 1024 }).Errors);

        Assert.Equal(OscalErrorCode.DocumentTooLarge, error.Code);
        Assert.Equal(0, stream.Position);
    }

    private static (OscalError Error, long Allocated) ReadMeasured(Func<Stream> open)
    {
        using var stream = open();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = OscalReader.Read(stream);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return (Assert.Single(result.Errors), allocated);
    }

    /// <summary>head, then <c>count</c> repetitions of a unit, then tail; produced as read, never held in memory.</summary>
    private sealed class GeneratedStream(byte[] head, byte[] unit, long count, byte[] tail) : Stream
    {
        private readonly long _length = head.Length + (unit.Length * count) + tail.Length;
        private readonly byte[] _block = [.. Enumerable.Repeat(unit, Math.Max(1, 65536 / unit.Length)).SelectMany(u => u)];
        private long _position;

        public GeneratedStream(byte[] head, byte unit, long count, byte[] tail)
            : this(head, [unit], count, tail)
        {
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int length)
        {
            var n = 0;
            while (n < length && _position < _length)
            {
                var body = unit.Length * count;
                var at = _position - head.Length;
                if (at >= 0 && at < body)
                {
                    // Copy whole runs of the repeated unit from a prepared block.
                    var start = (int)(at % _block.Length);
                    var run = (int)Math.Min(Math.Min(_block.Length - start, length - n), body - at);
                    Array.Copy(_block, start, buffer, offset + n, run);
                    n += run;
                    _position += run;
                    continue;
                }

                buffer[offset + n++] = at < 0 ? head[_position] : tail[at - body];
                _position++;
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
