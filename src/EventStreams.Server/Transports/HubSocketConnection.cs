using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace EventStreams.Server.Transports;

/// <summary>
/// One hub connection over a WebSocket this server accepted itself (<see cref="HubSocketEndpoint"/>). SignalR's hub
/// (<c>HubConnectionHandler</c>) runs on it as on SignalR's own WebSocket transport and answers everything the client
/// sends (handshake, pings, close, errors, timeouts), except the <c>Stream</c> invocations, which
/// <see cref="HubSocketStreams"/> runs with the same results. Every message, the hub's and the streams', goes out as one
/// frame written into the connection by the thread that wrote it: SignalR's transport hands each write to the thread pool
/// first (its pipe's reader scheduler is fixed) and sends it through <c>ManagedWebSocket</c>.
/// </summary>
internal sealed class HubSocketConnection : ConnectionContext,
    IConnectionIdFeature,
    IConnectionItemsFeature,
    IConnectionTransportFeature,
    IConnectionLifetimeFeature,
    IConnectionHeartbeatFeature,
    IConnectionUserFeature,
    ITransferFormatFeature,
    IHttpContextFeature
{
    /// <summary>What the hub may write before its writes wait for the client (SignalR's <c>ApplicationMaxBufferSize</c> default).</summary>
    private const int MaxPendingOutput = 64 * 1024;

    /// <summary>How long a closing handshake waits for the client's close frame (SignalR's <c>WebSocketOptions.CloseTimeout</c> default).</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly Stream _socket;
    private readonly HubSocketConnections _connections;
    private readonly HubSocketStreams _streams;
    private readonly Pipe _toHub;
    private readonly Pipe _fromHub;
    private readonly PipeReader _input;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly HubSocketFrameBuffer _frame = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource<bool> _handshakeAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _heartbeatGate = new();
    private List<(Action<object> Action, object State)>? _heartbeats;
    private bool _closeSent;
    private int _aborted;
    private volatile bool _serverClosing;

    public HubSocketConnection(HttpContext http, Stream socket, HubSocketConnections connections)
    {
        HttpContext = http;
        _socket = socket;
        _connections = connections;
        _streams = new HubSocketStreams(this, connections);
        // The hub's reads of what the client sent may hop to the thread pool (rare); its writes are sent inline.
        _toHub = new Pipe(new PipeOptions(pauseWriterThreshold: MaxPendingOutput, resumeWriterThreshold: MaxPendingOutput / 2, useSynchronizationContext: false));
        _fromHub = new Pipe(new PipeOptions(pauseWriterThreshold: MaxPendingOutput, resumeWriterThreshold: MaxPendingOutput / 2, readerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        Transport = new DuplexPipe(_toHub.Reader, _fromHub.Writer);
        _input = PipeReader.Create(socket, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true));
        ConnectionId = http.TraceIdentifier;
        ConnectionClosed = http.RequestAborted;
        Features = new FeatureCollection();
        Features.Set<IConnectionIdFeature>(this);
        Features.Set<IConnectionItemsFeature>(this);
        Features.Set<IConnectionTransportFeature>(this);
        Features.Set<IConnectionLifetimeFeature>(this);
        Features.Set<IConnectionHeartbeatFeature>(this);
        Features.Set<IConnectionUserFeature>(this);
        Features.Set<ITransferFormatFeature>(this);
        Features.Set<IHttpContextFeature>(this);
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; }

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed { get; set; }

    public HttpContext? HttpContext { get; set; }

    public ClaimsPrincipal? User
    {
        get => HttpContext?.User;
        set { }
    }

    public TransferFormat SupportedFormats { get; set; } = TransferFormat.Text | TransferFormat.Binary;

    public TransferFormat ActiveFormat { get; set; } = TransferFormat.Text;

    /// <summary>Whether the hub accepted the client's handshake; complete once it answered (or ended without answering).</summary>
    public Task<bool> HandshakeAnswered => _handshakeAnswered.Task;

    /// <summary>Cancelled once the hub has ended or the client is no longer read: the connection is closing, and streams stop without a completion.</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>
    /// Runs the hub on this connection until either side ends it, then closes the WebSocket (answering the client's close,
    /// or 1000, 1011 if the hub failed, 1002/1007/1009 after a client broke the protocol) and waits a moment for the client's
    /// close frame.
    /// </summary>
    public async Task RunAsync(ConnectionHandler hub)
    {
        var receiving = ReceiveAsync();
        var sending = SendHubOutputAsync();
        var status = WebSocketCloseStatus.NormalClosure;
        try
        {
            await hub.OnConnectedAsync(this);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // SignalR's transport closes with 1011 when the hub fails; the hub logs its own errors.
            status = WebSocketCloseStatus.InternalServerError;
        }
        finally
        {
            // The hub is done: the streams stop, what the hub wrote is sent, then the close frame.
            await _closing.CancelAsync();
            await _fromHub.Writer.CompleteAsync();
            await _toHub.Reader.CompleteAsync();
        }

        if (await sending)
        {
            await CloseAsync(receiving.IsCompleted ? await receiving ?? status : status);
            if (await Task.WhenAny(receiving, Task.Delay(CloseTimeout)) != receiving)
            {
                Abort();
            }
        }

        await receiving;
    }

    /// <summary>Ends the connection as a client's close would: the hub ends, then the WebSocket closes. For a stopping server.</summary>
    public void Close()
    {
        _serverClosing = true;
        _input.CancelPendingRead();
    }

    public override void Abort(ConnectionAbortedException abortReason) => Abort();

    public override void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            HttpContext?.Abort();
            _input.CancelPendingRead();
        }
    }

    public void OnHeartbeat(Action<object> action, object state)
    {
        lock (_heartbeatGate)
        {
            (_heartbeats ??= []).Add((action, state));
        }
    }

    /// <summary>Once a second (<see cref="HubSocketConnections"/>): SignalR's keep-alive pings and client timeout.</summary>
    public void TickHeartbeat()
    {
        lock (_heartbeatGate)
        {
            foreach (var (action, state) in _heartbeats ?? [])
            {
                action(state);
            }
        }
    }

    /// <summary>Hands a frame's data to the hub as it is; <c>false</c> once the hub reads no more.</summary>
    public async ValueTask<bool> ForwardAsync(HubSocketFrame frame)
    {
        frame.Unmask(_toHub.Writer);
        return !(await _toHub.Writer.FlushAsync()).IsCompleted;
    }

    /// <summary>Hands whole messages to the hub; <c>false</c> once the hub reads no more.</summary>
    public async ValueTask<bool> ForwardAsync(ReadOnlySequence<byte> messages)
    {
        foreach (var segment in messages)
        {
            _toHub.Writer.Write(segment.Span);
        }

        return !(await _toHub.Writer.FlushAsync()).IsCompleted;
    }

    /// <summary>One message of a stream, in the connection's protocol, as one frame. Throws once the connection closes.</summary>
    public async ValueTask SendAsync(HubMessage message)
    {
        await _sendLock.WaitAsync();
        try
        {
            ObjectDisposedException.ThrowIf(_closeSent, this);
            _streams.Protocol!.WriteMessage(message, _frame);
            await SendFrameAsync(Opcode);
        }
        finally
        {
            _frame.Release();
            _sendLock.Release();
        }
    }

    /// <summary><see cref="SendAsync(HubMessage)"/>, giving up quietly when the connection is gone.</summary>
    public async ValueTask TrySendAsync(HubMessage message)
    {
        try
        {
            await SendAsync(message);
        }
        catch (Exception e) when (IsConnectionGone(e))
        {
            Abort();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _sendLock.Dispose();
        _closing.Dispose();
        await base.DisposeAsync();
    }

    private byte Opcode => ActiveFormat == TransferFormat.Binary ? HubSocketFrames.Binary : HubSocketFrames.Text;

    private static bool IsConnectionGone(Exception e) =>
        e is IOException or ConnectionAbortedException or OperationCanceledException or ObjectDisposedException or ClientStalledException;

    /// <summary>
    /// The client's frames, until the client closes, vanishes or breaks the protocol, or the connection is aborted. Data goes
    /// to <see cref="HubSocketStreams"/>; once the hub has stopped reading (it ended, or the server closes), data is dropped
    /// while the client's close frame is awaited. Returns the close status to answer with (the client's, or 1002/1009),
    /// <c>null</c> if none is due.
    /// </summary>
    private async Task<WebSocketCloseStatus?> ReceiveAsync()
    {
        var hubReads = true;
        var text = false;
        Decoder? utf8 = null;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync();
                var buffer = result.Buffer;
                try
                {
                    while (HubSocketFrames.TryRead(ref buffer, _connections.MaxFramePayload, out var frame))
                    {
                        switch (frame.Opcode)
                        {
                            case HubSocketFrames.Text or HubSocketFrames.Binary or HubSocketFrames.Continuation:
                                if (frame.Opcode != HubSocketFrames.Continuation)
                                {
                                    text = frame.Opcode == HubSocketFrames.Text;
                                }

                                if (text)
                                {
                                    frame.CheckUtf8(ref utf8);
                                }

                                hubReads = hubReads && await _streams.ReceiveAsync(frame);
                                break;
                            case HubSocketFrames.Ping:
                                await PongAsync(frame);
                                break;
                            case HubSocketFrames.Pong:
                                break;
                            case HubSocketFrames.Close:
                                // Answered with 1000 whatever the client's status, as SignalR's transport does.
                                return WebSocketCloseStatus.NormalClosure;
                            default:
                                throw new HubSocketProtocolException("unknown opcode");
                        }
                    }
                }
                finally
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (_aborted != 0 || result.IsCompleted)
                {
                    return null;
                }

                if (hubReads && _serverClosing)
                {
                    hubReads = false;
                    await _toHub.Writer.CompleteAsync();
                }
            }
        }
        catch (HubSocketProtocolException e)
        {
            return e.Status;
        }
        catch (Exception e) when (IsConnectionGone(e))
        {
            return null;
        }
        finally
        {
            // As SignalR's transport: once the client is no longer read, the streams stop and nothing more of the hub's is sent.
            await _closing.CancelAsync();
            _fromHub.Reader.CancelPendingRead();
            await _toHub.Writer.CompleteAsync();
            await _input.CompleteAsync();
        }
    }

    /// <summary>What the hub writes, a frame per write, until it is done; <c>false</c> if the connection broke meanwhile.</summary>
    private async Task<bool> SendHubOutputAsync()
    {
        var reader = _fromHub.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                try
                {
                    if (result.IsCanceled)
                    {
                        return true;
                    }

                    if (!buffer.IsEmpty)
                    {
                        await SendAsync(Opcode, buffer);
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }

                if (result.IsCompleted)
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (IsConnectionGone(e))
        {
            Abort();
            return false;
        }
        finally
        {
            _handshakeAnswered.TrySetResult(false);
            await reader.CompleteAsync();
        }
    }

    /// <summary>Bytes the hub wrote, or a control frame's payload, as one frame. The hub's first write is its answer to the handshake.</summary>
    private async ValueTask SendAsync(byte opcode, ReadOnlySequence<byte> payload)
    {
        if (!_handshakeAnswered.Task.IsCompleted && opcode is HubSocketFrames.Text or HubSocketFrames.Binary)
        {
            var answer = payload;
            _handshakeAnswered.TrySetResult(HandshakeProtocol.TryParseResponseMessage(ref answer, out var response) && response.Error is null);
        }

        await _sendLock.WaitAsync();
        try
        {
            if (_closeSent)
            {
                return;
            }

            foreach (var segment in payload)
            {
                _frame.Write(segment.Span);
            }

            _closeSent = opcode == HubSocketFrames.Close;
            await SendFrameAsync(opcode);
        }
        finally
        {
            _frame.Release();
            _sendLock.Release();
        }
    }

    /// <summary>Sends what <see cref="_frame"/> holds as one frame, in one write into the connection; a client that takes none of it for <see cref="StalledWrites.Stall"/> is cut off. Under the send lock; the caller releases the frame.</summary>
    private ValueTask SendFrameAsync(byte opcode)
    {
        var write = _connections.Stalls.WriteAsync(_socket, _frame.Frame(opcode), HttpContext!);
        return write.IsCompletedSuccessfully ? ValueTask.CompletedTask : WaitAsync(write);

        async ValueTask WaitAsync(ValueTask write)
        {
            try
            {
                await write;
            }
            catch (ClientStalledException)
            {
                _connections.Stalled(HttpContext!);
                throw;
            }
        }
    }

    private async Task PongAsync(HubSocketFrame ping)
    {
        var payload = new ArrayBufferWriter<byte>(HubSocketFrames.MaxControlPayload);
        ping.Unmask(payload);
        await SendAsync(HubSocketFrames.Pong, new ReadOnlySequence<byte>(payload.WrittenMemory));
    }

    private async Task CloseAsync(WebSocketCloseStatus status)
    {
        var payload = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)status);
        try
        {
            await SendAsync(HubSocketFrames.Close, new ReadOnlySequence<byte>(payload));
        }
        catch (Exception e) when (IsConnectionGone(e))
        {
            Abort();
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}

/// <summary>
/// One outgoing frame being written: the payload after room for the longest header, the header then put just before it,
/// so the frame goes out in one write without a copy. The array is rented per frame: an idle connection holds none.
/// </summary>
internal sealed class HubSocketFrameBuffer : IBufferWriter<byte>
{
    private const int Start = HubSocketFrames.MaxHeaderLength;

    private byte[]? _array;
    private int _end = Start;

    public void Advance(int count) => _end += count;

    public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_end);

    public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_end);

    /// <summary>The whole frame: a header for what was written, then it.</summary>
    public ReadOnlyMemory<byte> Frame(byte opcode)
    {
        var array = Ensure(0);
        var start = HubSocketFrames.WriteHeaderBefore(array, Start, opcode, _end - Start);
        return array.AsMemory(start, _end - start);
    }

    public void Release()
    {
        if (_array is { } array)
        {
            _array = null;
            ArrayPool<byte>.Shared.Return(array);
        }

        _end = Start;
    }

    private byte[] Ensure(int sizeHint)
    {
        var needed = _end + Math.Max(sizeHint, 1);
        if (_array is { } array && array.Length >= needed)
        {
            return array;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(4096, (_array?.Length ?? 0) * 2)));
        if (_array is { } old)
        {
            old.AsSpan(0, _end).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(old);
        }

        return _array = larger;
    }
}
