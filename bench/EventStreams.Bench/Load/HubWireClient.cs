using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace EventStreams.Bench.Load;

/// <summary>
/// One client of <c>/v2/hub</c> that speaks SignalR's JSON hub protocol itself on a <see cref="RawWebSocket"/>, so
/// that it costs the load generator about what an <see cref="SseConnection"/> does (the .NET SignalR client,
/// <see cref="HubClient"/>, costs about 4×). It opens the WebSocket on the hub's path without negotiating (as the
/// clients' <c>skipNegotiation</c> does), sends the handshake, then one <c>StreamInvocation</c> of
/// <c>Stream(streams, null, lastEventId, filters)</c>, and reads the records split at 0x1E: <c>StreamItem</c>s, whose
/// <c>data</c> is the event's JSON as a JSON string (the benchmark fields are read from the escaped text, and the bytes
/// counted are the event JSON's UTF-8 length, without unescaping or allocating), <c>Completion</c> (the stream's end,
/// with or without an error), <c>Ping</c> and <c>Close</c>. It pings the server every <paramref name="pingInterval"/>
/// (15 s, as the .NET client does): once a client has pinged, the server drops it after its client timeout (30 s by
/// default) without a message. Counts like <see cref="HubClient"/> (events, bytes, sequence, errors on standard
/// error), with the latency taken when the bytes arrive, as <see cref="SseConnection"/> does; only
/// <see cref="ClientKind.Normal"/> clients are supported. With
/// <paramref name="onEvent"/>, every event is also handed over with its id (UTF-8), sequence key and number.
/// </summary>
internal sealed class HubWireClient(ClientGroup group, LoadWindow window, TimeSpan? pingInterval = null, Action<byte[], int, long>? onEvent = null) : IBenchClient
{
    private const string StreamPrefix = "/v2/stream/";
    private const byte RecordSeparator = 0x1E;

    /// <summary>Connecting, the handshake and the stream's start marker: what the .NET client allows its server to stay silent.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DefaultPingInterval = TimeSpan.FromSeconds(15);
    private static readonly byte[] Handshake = "{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray();
    private static readonly byte[] Ping = "{\"type\":6}\u001e"u8.ToArray();

    private readonly SequenceTracker _sequences = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _buffer = [];
    private int _pending;
    private bool _handshakeDone;
    private bool _ended;
    private long _windowEvents;
    private long _windowBytes;
    private long _now;
    private long _pingsSent;

    public ClientGroup Group { get; } = group;

    public long Events { get; private set; }

    public long Gaps => _sequences.Gaps;

    public long Duplicates => _sequences.Duplicates;

    public long ConnectStart { get; private set; }

    public long FirstEvent { get; private set; }

    public long CaughtUpAt => 0;

    public bool Connected { get; private set; }

    public bool Failed { get; private set; }

    public bool ClosedByServer { get; private set; }

    /// <summary>The error that ended the stream: a <c>Completion</c>'s or <c>Close</c>'s, or the connection's.</summary>
    public string? Error { get; private set; }

    /// <summary>Pings received from the server.</summary>
    public long PingsReceived { get; private set; }

    /// <summary>Pings sent to the server (it times a client out only once that client has pinged).</summary>
    public long PingsSent => Interlocked.Read(ref _pingsSent);

    /// <summary>Completes when the stream's start marker has arrived (or the connection failed).</summary>
    public Task HeadersReceived => _started.Task;

    public long LastSeq(int key) => _sequences.LastSeq(key);

    public async Task RunAsync(int port, int bufferBytes, Task releaseStalled, CancellationToken cancellationToken)
    {
        _buffer = new byte[bufferBytes];
        using var socket = new RawWebSocket();
        using var start = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopPings = new CancellationTokenSource();
        var pings = Task.CompletedTask;
        try
        {
            ConnectStart = Stopwatch.GetTimestamp();
            start.CancelAfter(StartTimeout);
            await socket.ConnectAsync(port, "/v2/hub", start.Token);
            await socket.SendTextAsync(Handshake, start.Token);
            while (!_ended)
            {
                var received = await socket.ReceiveAsync(_buffer.AsMemory(_pending), Connected ? cancellationToken : start.Token);
                if (received == 0)
                {
                    Report("Close", "the server closed the WebSocket");
                    break;
                }

                _now = Sources.BenchEvents.NowMicros();
                var handshakeWasDone = _handshakeDone;
                Process(received);
                if (_handshakeDone && !handshakeWasDone && !_ended)
                {
                    await socket.SendTextAsync(Invocation(), start.Token);
                    pings = PingAsync(socket, pingInterval ?? DefaultPingInterval, stopPings.Token);
                }
            }
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Report(e.GetType().Name, !Connected && start.IsCancellationRequested ? $"no stream start within {StartTimeout.TotalSeconds:N0} s" : e.Message);
        }
        finally
        {
            await stopPings.CancelAsync();
            await pings;
            Failed |= !Connected;
            _started.TrySetResult();
        }
    }

    /// <summary>The <c>StreamInvocation</c> of <c>Stream(streams, since, lastEventId, filters)</c>, as <see cref="HubClient"/> calls it.</summary>
    private byte[] Invocation()
    {
        var streams = Group.Path[StreamPrefix.Length..].Split('?')[0];
        var json = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["type"] = 4,
            ["invocationId"] = "0",
            ["target"] = "Stream",
            ["arguments"] = new object?[] { streams, null, Group.LastEventId, Group.Filters },
        });
        return [.. json, RecordSeparator];
    }

    private async Task PingAsync(RawWebSocket socket, TimeSpan interval, CancellationToken cancellationToken)
    {
        if (interval == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await socket.SendTextAsync(Ping, cancellationToken);
                Interlocked.Increment(ref _pingsSent);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The stream has ended: the receive loop reports why.
        }
    }

    /// <summary>Handles the complete records among what arrived and keeps an incomplete last one for the next read.</summary>
    private void Process(int received)
    {
        var data = _buffer.AsSpan(0, _pending + received);
        int end;
        while (!_ended && (end = data.IndexOf(RecordSeparator)) >= 0)
        {
            OnRecord(data[..end]);
            data = data[(end + 1)..];
        }

        data.CopyTo(_buffer);
        _pending = data.Length;
        if (_pending == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        if (_windowEvents > 0)
        {
            window.Add(_windowEvents, _windowBytes);
            _windowEvents = 0;
            _windowBytes = 0;
        }
    }

    private void OnRecord(ReadOnlySpan<byte> record)
    {
        if (!_handshakeDone)
        {
            // {} or {"error":"..."}
            _handshakeDone = true;
            if (ReadString(record, "error") is { } refused)
            {
                Report("Handshake", refused);
            }

            return;
        }

        switch (MessageType(record))
        {
            case 2:
                OnStreamItem(record);
                break;
            case 3:
                // The stream's end: an error, or none when the server ended it cleanly.
                if (ReadString(record, "error") is { } error)
                {
                    Report("Completion", error);
                }
                else
                {
                    ClosedByServer = true;
                    _ended = true;
                }

                break;
            case 6:
                PingsReceived++;
                break;
            case 7:
                Report("Close", ReadString(record, "error") ?? "the server closed the connection");
                break;
            default:
                break;
        }
    }

    private void OnStreamItem(ReadOnlySpan<byte> record)
    {
        if (!Connected)
        {
            Connected = true;
            _started.TrySetResult();
        }

        // {"type":2,"invocationId":"0","item":{"id":"…","data":"…"}}: inside a JSON string every quote is escaped, so
        // the first "data": is the item's property, whatever the id holds.
        var at = record.IndexOf("\"data\":\""u8);
        if (at < 0)
        {
            return; // the start marker ("data":null)
        }

        var text = record[(at + 8)..];
        var length = JsonStringContent.Utf8Length(text);
        if (length < 0 || !BenchFields.TryReadEscaped(text, out var key, out var seq, out var micros))
        {
            return;
        }

        Events++;
        if (FirstEvent == 0)
        {
            FirstEvent = Stopwatch.GetTimestamp();
        }

        if (window.Active)
        {
            _windowEvents++;
            _windowBytes += length;
            LatencyHistogram.Current.Record(_now - micros);
        }

        _sequences.Record((int)key, seq);
        onEvent?.Invoke(Encoding.UTF8.GetBytes(ReadString(record, "id") ?? ""), (int)key, seq);
    }

    /// <summary>The record's <c>type</c>: SignalR's writer puts it first; any other layout is parsed.</summary>
    private static int MessageType(ReadOnlySpan<byte> record)
    {
        if (record.StartsWith("{\"type\":"u8) && Utf8Parser.TryParse(record[8..], out int fast, out _))
        {
            return fast;
        }

        var reader = new Utf8JsonReader(record);
        return Find(ref reader, "type") && reader.TryGetInt32(out var type) ? type : -1;
    }

    /// <summary>A string property of the record, at any depth (the id is inside <c>item</c>); null when absent or not a string.</summary>
    private static string? ReadString(ReadOnlySpan<byte> record, string name)
    {
        var reader = new Utf8JsonReader(record);
        return Find(ref reader, name) && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
    }

    private static bool Find(ref Utf8JsonReader reader, string name)
    {
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals(name))
                {
                    return reader.Read();
                }
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }

    private void Report(string kind, string message)
    {
        Error = message;
        _ended = true;
        Console.Error.WriteLine($"hub error{(Connected ? "" : " before the start")}: {kind}: {message}");
        ClosedByServer |= Connected;
    }
}
