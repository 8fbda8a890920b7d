using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EventStreams.Bench.Load;

/// <summary>
/// One SSE client on a raw socket: HTTP/1.1 request, chunked-transfer decoding and a minimal SSE parser that
/// looks only at <c>data:</c> lines and the benchmark fields at their start (sequence key, number, production time).
/// A gzip client inflates the body as it comes and counts the compressed bytes. With <c>onEvent</c>, every event is
/// also handed over with its id (the storm's recorder keeps them, to resume from).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The inflater lives as long as RunAsync, which disposes it.")]
internal sealed class SseConnection(ClientGroup group, LoadWindow window, Action<byte[], int, long>? onEvent = null) : IBenchClient
{
    private enum BodyState
    {
        ChunkSize,
        ChunkExtension,
        ChunkData,
        ChunkEnd,
        Raw,
        Done,
    }

    private static int _connectRetries;

    private readonly SequenceTracker _sequences = new();
    private readonly TaskCompletionSource _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _line = new byte[4096];
    private int _lineLength;
    private BodyState _state = BodyState.ChunkSize;
    private long _chunkRemaining;
    private bool _inHeaders = true;
    private long _windowEvents;
    private long _windowBytes;
    private long _now;
    private GZipStream? _gunzip;
    private FeedStream? _feed;
    private byte[]? _inflated;
    private byte[] _lastId = [];

    public ClientGroup Group { get; } = group;

    public long Events { get; private set; }

    public long Gaps => _sequences.Gaps;

    public long Duplicates => _sequences.Duplicates;

    public long ConnectStart { get; private set; }

    public long FirstEvent { get; private set; }

    public long CaughtUpAt { get; private set; }

    public bool Connected { get; private set; }

    public bool Failed { get; private set; }

    public bool ClosedByServer { get; private set; }

    /// <summary>Completes when the response headers have arrived (or the connection failed).</summary>
    public Task HeadersReceived => _headers.Task;

    public static int ConnectRetries => _connectRetries;

    public long LastSeq(int key) => _sequences.LastSeq(key);

    /// <summary>A resuming client: the first event of <paramref name="key"/> must be <paramref name="seq"/> (see <see cref="SequenceTracker.ExpectNext"/>).</summary>
    public void ExpectNext(int key, long seq) => _sequences.ExpectNext(key, seq);

    public async Task RunAsync(int port, int bufferBytes, Task releaseStalled, CancellationToken cancellationToken)
    {
        var buffer = new byte[bufferBytes];
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            ConnectStart = Stopwatch.GetTimestamp();
            await ConnectAsync(socket, port, cancellationToken);
            var request = new StringBuilder()
                .Append("GET ").Append(Group.Path).Append(" HTTP/1.1\r\nHost: 127.0.0.1:").Append(port)
                .Append("\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n");
            if (Group.Gzip)
            {
                request.Append("Accept-Encoding: gzip\r\n");
            }

            if (Group.LastEventId is not null)
            {
                request.Append("Last-Event-ID: ").Append(Group.LastEventId).Append("\r\n");
            }

            await socket.SendAsync(Encoding.UTF8.GetBytes(request.Append("\r\n").ToString()), cancellationToken);
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (received == 0)
                {
                    ClosedByServer = true;
                    break;
                }

                _now = Sources.BenchEvents.NowMicros();
                Process(buffer.AsSpan(0, received));
                if (_state == BodyState.Done)
                {
                    ClosedByServer = true;
                    break;
                }

                if (Group.Kind == ClientKind.Slow && !_inHeaders)
                {
                    await Task.Delay(50, cancellationToken);
                }
                else if (Group.Kind == ClientKind.Stalled && !_inHeaders)
                {
                    await releaseStalled.WaitAsync(cancellationToken);
                    ClosedByServer = await DrainAsync(socket, buffer);
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (SocketException e)
        {
            if (!Connected)
            {
                Console.Error.WriteLine($"connection failed: {e.SocketErrorCode}");
            }

            Failed |= !Connected;
            ClosedByServer |= Connected;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"connection error{(Connected ? "" : " before the response")}: {e.GetType().Name}: {e.Message}");
            Failed |= !Connected;
        }
        finally
        {
            if (!Connected && !Failed)
            {
                Console.Error.WriteLine($"closed before the response (received {_lineLength} bytes)");
            }

            Failed |= !Connected;
            _headers.TrySetResult();
            _gunzip?.Dispose();
        }
    }

    /// <summary>Connects, retrying a few times: on a busy shared machine a burst of connects is sometimes refused.</summary>
    internal static async Task ConnectAsync(Socket socket, int port, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                return;
            }
            catch (SocketException e) when (attempt < 5)
            {
                Interlocked.Increment(ref _connectRetries);
                if (_connectRetries == 1)
                {
                    Console.Error.WriteLine($"connect failed ({e.SocketErrorCode}), retrying");
                }

                await Task.Delay(200 * attempt, cancellationToken);
            }
        }
    }

    /// <summary>Reads what the server buffered for a stalled client; true when the server had closed the connection.</summary>
    private static async Task<bool> DrainAsync(Socket socket, byte[] buffer)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Process(ReadOnlySpan<byte> data)
    {
        if (_inHeaders)
        {
            data = ProcessHeaders(data);
            if (_inHeaders)
            {
                return;
            }
        }

        while (!data.IsEmpty && _state != BodyState.Done)
        {
            switch (_state)
            {
                case BodyState.Raw:
                    ProcessBody(data);
                    data = default;
                    break;
                case BodyState.ChunkSize:
                {
                    var b = data[0];
                    data = data[1..];
                    if (b == '\n')
                    {
                        _state = _chunkRemaining == 0 ? BodyState.Done : BodyState.ChunkData;
                    }
                    else if (b == ';')
                    {
                        _state = BodyState.ChunkExtension;
                    }
                    else if (b != '\r')
                    {
                        _chunkRemaining = (_chunkRemaining * 16) + HexValue(b);
                    }

                    break;
                }

                case BodyState.ChunkExtension:
                {
                    var newline = data.IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        data = default;
                    }
                    else
                    {
                        data = data[(newline + 1)..];
                        _state = _chunkRemaining == 0 ? BodyState.Done : BodyState.ChunkData;
                    }

                    break;
                }

                case BodyState.ChunkData:
                {
                    var take = (int)Math.Min(_chunkRemaining, data.Length);
                    ProcessBody(data[..take]);
                    data = data[take..];
                    _chunkRemaining -= take;
                    if (_chunkRemaining == 0)
                    {
                        _state = BodyState.ChunkEnd;
                    }

                    break;
                }

                case BodyState.ChunkEnd:
                {
                    var b = data[0];
                    data = data[1..];
                    if (b == '\n')
                    {
                        _state = BodyState.ChunkSize;
                    }

                    break;
                }
            }
        }

        if (_windowEvents > 0 || _windowBytes > 0)
        {
            window.Add(_windowEvents, _windowBytes);
            _windowEvents = 0;
            _windowBytes = 0;
        }
    }

    private ReadOnlySpan<byte> ProcessHeaders(ReadOnlySpan<byte> data)
    {
        Append(data);
        var all = _line.AsSpan(0, _lineLength);
        var end = all.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return default;
        }

        var head = Encoding.ASCII.GetString(all[..end]);
        if (!head.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
        {
            Console.Error.WriteLine("refused: " + head.Split('\n')[0]);
            throw new SocketException((int)SocketError.ConnectionRefused);
        }

        _inHeaders = false;
        Connected = true;
        _state = head.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase) ? BodyState.ChunkSize : BodyState.Raw;
        if (head.Contains("content-encoding: gzip", StringComparison.OrdinalIgnoreCase))
        {
            _feed = new FeedStream();
            _gunzip = new GZipStream(_feed, CompressionMode.Decompress);
            _inflated = new byte[16384];
        }
        else if (Group.Gzip)
        {
            throw new InvalidOperationException("asked for gzip, got an uncompressed response");
        }

        var rest = all[(end + 4)..].ToArray();
        _lineLength = 0;
        _headers.TrySetResult();
        return rest;
    }

    private void ProcessBody(ReadOnlySpan<byte> data)
    {
        if (window.Active)
        {
            _windowBytes += data.Length;
        }

        if (_gunzip is null)
        {
            ProcessSse(data);
            return;
        }

        // Every event ends on a flush point, so what arrived inflates completely now.
        _feed!.Set(data);
        int inflated;
        while ((inflated = _gunzip.Read(_inflated!)) > 0)
        {
            ProcessSse(_inflated.AsSpan(0, inflated));
        }
    }

    private void ProcessSse(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Append(data);
                return;
            }

            if (_lineLength > 0)
            {
                Append(data[..newline]);
                OnLine(_line.AsSpan(0, _lineLength));
                _lineLength = 0;
            }
            else
            {
                OnLine(data[..newline]);
            }

            data = data[(newline + 1)..];
        }
    }

    private void OnLine(ReadOnlySpan<byte> line)
    {
        if (onEvent is not null && line.StartsWith("id: "u8))
        {
            _lastId = line[4..].ToArray();
            return;
        }

        if (!line.StartsWith("data: "u8))
        {
            return;
        }

        if (!BenchFields.TryRead(line, out var key, out var seq, out var micros))
        {
            return;
        }

        Events++;
        if (FirstEvent == 0)
        {
            FirstEvent = Stopwatch.GetTimestamp();
        }

        if (Group.Kind == ClientKind.CatchUp && CaughtUpAt == 0 && Events >= Group.Target)
        {
            CaughtUpAt = Stopwatch.GetTimestamp();
        }

        if (window.Active)
        {
            _windowEvents++;
            if (Group.Kind == ClientKind.Normal)
            {
                LatencyHistogram.Current.Record(_now - micros);
            }
        }

        _sequences.Record((int)key, seq);
        onEvent?.Invoke(_lastId, (int)key, seq);
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_lineLength + data.Length > _line.Length)
        {
            Array.Resize(ref _line, Math.Max(_line.Length * 2, _lineLength + data.Length));
        }

        data.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += data.Length;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => throw new FormatException("Bad chunk size."),
    };

    /// <summary>What arrived, for the inflater to read; a read past it returns 0 (DeflateStream then waits for the next call).</summary>
    private sealed class FeedStream : Stream
    {
        private byte[] _data = new byte[16384];
        private int _start;
        private int _end;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Set(ReadOnlySpan<byte> data)
        {
            if (data.Length > _data.Length)
            {
                _data = new byte[data.Length];
            }

            data.CopyTo(_data);
            _start = 0;
            _end = data.Length;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var take = Math.Min(buffer.Length, _end - _start);
            _data.AsSpan(_start, take).CopyTo(buffer);
            _start += take;
            return take;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
