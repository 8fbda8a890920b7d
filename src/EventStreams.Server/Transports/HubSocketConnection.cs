using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Security.Claims;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace EventStreams.Server.Transports;

/// <summary>
/// One hub connection over a WebSocket this server accepted itself (<see cref="HubSocketEndpoint"/>): SignalR's hub
/// (<c>HubConnectionHandler</c>) runs on it exactly as on SignalR's own WebSocket transport (handshake, invocations,
/// errors, pings, timeouts, close), but what the hub writes is framed and written into the connection on the writer's
/// own thread. SignalR's transport hands every write to the thread pool first (its pipe's reader scheduler is fixed),
/// and sends it through <c>ManagedWebSocket</c>: a second work item and a second copy per event per client.
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
    /// <summary>What SignalR may write before its writes wait for the client (SignalR's <c>ApplicationMaxBufferSize</c> default).</summary>
    private const int MaxPendingOutput = 64 * 1024;

    /// <summary>How long a closing handshake waits for the client's close frame (SignalR's <c>WebSocketOptions.CloseTimeout</c> default).</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly Stream _socket;
    private readonly StalledWrites _stalls;
    private readonly long _maxFramePayload;
    private readonly Pipe _toHub;
    private readonly Pipe _fromHub;
    private readonly PipeReader _input;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Lock _heartbeatGate = new();
    private List<(Action<object> Action, object State)>? _heartbeats;
    private int _aborted;
    private volatile bool _closing;

    public HubSocketConnection(HttpContext http, Stream socket, StalledWrites stalls, long maxFramePayload)
    {
        HttpContext = http;
        _socket = socket;
        _stalls = stalls;
        _maxFramePayload = maxFramePayload;
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

    public override IDictionary<object, object?> Items { get; set; } = new ConnectionItems();

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

    /// <summary>
    /// Runs the hub on this connection until either side ends it, then closes the WebSocket (answering the client's close,
    /// or 1000, or 1002/1009 after a client broke the protocol) and waits a moment for the client's close frame.
    /// </summary>
    public async Task RunAsync(ConnectionHandler hub)
    {
        var receiving = ReceiveAsync();
        var sending = SendAsync();
        try
        {
            await hub.OnConnectedAsync(this);
        }
        finally
        {
            // The hub is done: what it wrote is sent, then the close frame.
            await _fromHub.Writer.CompleteAsync();
            await _toHub.Reader.CompleteAsync();
        }

        if (await sending)
        {
            await CloseAsync(receiving.IsCompleted ? await receiving ?? WebSocketCloseStatus.NormalClosure : WebSocketCloseStatus.NormalClosure);
            if (await Task.WhenAny(receiving, Task.Delay(CloseTimeout)) != receiving)
            {
                Abort();
            }
        }

        await receiving;
    }

    /// <summary>Ends the connection as a client's close would: the hub ends its streams, then the WebSocket closes. For a stopping server.</summary>
    public void Close()
    {
        _closing = true;
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

    public override ValueTask DisposeAsync()
    {
        _sendLock.Dispose();
        return base.DisposeAsync();
    }

    /// <summary>
    /// The client's frames, their data into the hub, until the client closes, vanishes or breaks the protocol, or the
    /// connection is aborted. Once the hub has stopped reading (it ended, or the server closes), data is dropped while the
    /// client's close frame is awaited. Returns the close status to answer with (the client's, or 1002/1009), <c>null</c>
    /// if none is due.
    /// </summary>
    private async Task<ushort?> ReceiveAsync()
    {
        var hubReads = true;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync();
                var buffer = result.Buffer;
                try
                {
                    while (HubSocketFrames.TryRead(ref buffer, _maxFramePayload, out var frame))
                    {
                        switch (frame.Opcode)
                        {
                            case HubSocketFrames.Text or HubSocketFrames.Binary or HubSocketFrames.Continuation:
                                if (hubReads)
                                {
                                    frame.Unmask(_toHub.Writer);
                                }

                                break;
                            case HubSocketFrames.Ping:
                                await PongAsync(frame);
                                break;
                            case HubSocketFrames.Pong:
                                break;
                            case HubSocketFrames.Close:
                                return ClientCloseStatus(frame);
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

                if (hubReads && (_closing || (await _toHub.Writer.FlushAsync()).IsCompleted))
                {
                    hubReads = false;
                    await _toHub.Writer.CompleteAsync();
                }
            }
        }
        catch (HubSocketProtocolException e)
        {
            return e.Message == "frame too large" ? WebSocketCloseStatus.MessageTooBig : WebSocketCloseStatus.ProtocolError;
        }
        catch (Exception e) when (e is IOException or ConnectionAbortedException or OperationCanceledException or ObjectDisposedException)
        {
            return null;
        }
        finally
        {
            await _toHub.Writer.CompleteAsync();
            await _input.CompleteAsync();
        }
    }

    /// <summary>What the hub writes, as frames, until it is done; <c>false</c> if the connection broke meanwhile.</summary>
    private async Task<bool> SendAsync()
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
                    if (!buffer.IsEmpty)
                    {
                        await SendFrameAsync(ActiveFormat == TransferFormat.Binary ? HubSocketFrames.Binary : HubSocketFrames.Text, buffer);
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or ConnectionAbortedException or OperationCanceledException or ObjectDisposedException or ClientStalledException)
        {
            Abort();
            return false;
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private async Task PongAsync(HubSocketFrame ping)
    {
        var payload = new ArrayBufferWriter<byte>(HubSocketFrames.MaxControlPayload);
        ping.Unmask(payload);
        await SendFrameAsync(HubSocketFrames.Pong, new ReadOnlySequence<byte>(payload.WrittenMemory));
    }

    private async Task CloseAsync(ushort status)
    {
        var payload = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(payload, status);
        try
        {
            await SendFrameAsync(HubSocketFrames.Close, new ReadOnlySequence<byte>(payload));
        }
        catch (Exception e) when (e is IOException or ConnectionAbortedException or OperationCanceledException or ObjectDisposedException or ClientStalledException)
        {
            Abort();
        }
    }

    private static ushort? ClientCloseStatus(HubSocketFrame close)
    {
        if (close.MaskedPayload.Length < 2)
        {
            return WebSocketCloseStatus.NormalClosure;
        }

        var payload = new ArrayBufferWriter<byte>(HubSocketFrames.MaxControlPayload);
        close.Unmask(payload);
        return BinaryPrimitives.ReadUInt16BigEndian(payload.WrittenSpan);
    }

    /// <summary>One frame, header and payload in one write into the connection; a client that takes none of it for <see cref="StalledWrites.Stall"/> is cut off.</summary>
    private async ValueTask SendFrameAsync(byte opcode, ReadOnlySequence<byte> payload)
    {
        var length = checked((int)payload.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(HubSocketFrames.MaxHeaderLength + length);
        try
        {
            payload.CopyTo(buffer.AsSpan(HubSocketFrames.MaxHeaderLength));
            var start = HubSocketFrames.WriteHeaderBefore(buffer, HubSocketFrames.MaxHeaderLength, opcode, length);
            await _sendLock.WaitAsync();
            try
            {
                await _stalls.WriteAsync(_socket, buffer.AsMemory(start, HubSocketFrames.MaxHeaderLength - start + length), HttpContext!);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    private sealed class ConnectionItems : Dictionary<object, object?>;
}

/// <summary>The close codes of RFC 6455 7.4.1 this server sends.</summary>
internal static class WebSocketCloseStatus
{
    public const ushort NormalClosure = 1000;
    public const ushort ProtocolError = 1002;
    public const ushort MessageTooBig = 1009;
}
