using System.Buffers;
using System.Collections.Concurrent;
using EventStreams.Server.Streaming;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace EventStreams.Server.Transports;

/// <summary>
/// The <c>Stream</c> invocations of one <see cref="HubSocketConnection"/>, run here rather than by SignalR's dispatcher:
/// each item is written straight into the WebSocket by the stream that reads it, where SignalR's path takes an
/// <c>IAsyncEnumerable</c> step, its connection's write lock and pipe for every item. What the client sends is read here
/// message by message: a well-formed streaming invocation of <c>Stream</c>, and the cancelling of one, are handled here;
/// every other message (the handshake, pings, close, anything wrong or unknown) is handed to SignalR's hub unchanged, which
/// answers it as it always has. Once something cannot be read here, everything after it goes to SignalR too. The
/// results and errors are the ones <see cref="StreamHub"/> gives on SignalR's path, byte for byte.
/// </summary>
internal sealed class HubSocketStreams(HubSocketConnection connection, HubSocketConnections connections)
{
    private const string Method = "Stream";

    private static readonly Type[] Parameters = [typeof(string), typeof(string), typeof(string), typeof(string[])];

    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private ArrayBufferWriter<byte>? _unread;
    private bool _handedOver;

    /// <summary>The protocol the client's handshake asked for, once known.</summary>
    public IHubProtocol? Protocol { get; private set; }

    /// <summary>Takes the payload of one data frame; <c>false</c> once the hub reads no more (it ended).</summary>
    public async ValueTask<bool> ReceiveAsync(HubSocketFrame frame)
    {
        if (_handedOver)
        {
            return await connection.ForwardAsync(frame);
        }

        frame.Unmask(_unread ??= new ArrayBufferWriter<byte>(256));
        var buffer = new ReadOnlySequence<byte>(_unread.WrittenMemory);
        var hubReads = true;
        while (hubReads && !_handedOver && !buffer.IsEmpty)
        {
            // Read from a copy: a message that fails to parse stays in `buffer`, for the hub.
            var rest = buffer;
            HubMessage? invocation;
            try
            {
                if (!TryRead(ref rest, out invocation))
                {
                    break;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Not readable here (malformed): the hub reads it and answers as it always has, and all that follows.
                _handedOver = true;
                break;
            }

            var message = buffer.Slice(0, rest.Start);
            if (message.Length > connections.MaxMessageSize)
            {
                // The hub refuses it (and closes), as it always has.
                _handedOver = true;
                break;
            }

            buffer = rest;
            if (invocation is null || !await TryRunAsync(invocation))
            {
                hubReads = await connection.ForwardAsync(message);
            }
        }

        if (_handedOver || buffer.Length > connections.MaxMessageSize)
        {
            _handedOver = true;
            hubReads = hubReads && await connection.ForwardAsync(buffer);
            buffer = default;
        }

        Keep(buffer);
        return hubReads;
    }

    /// <summary>
    /// Reads one message: the handshake request (choosing <see cref="Protocol"/>; the hub answers it), then hub messages.
    /// <paramref name="invocation"/> is a message to handle here, <c>null</c> for one to hand to the hub.
    /// </summary>
    private bool TryRead(ref ReadOnlySequence<byte> buffer, out HubMessage? invocation)
    {
        invocation = null;
        if (Protocol is null)
        {
            if (!HandshakeProtocol.TryParseRequestMessage(ref buffer, out var handshake))
            {
                return false;
            }

            Protocol = connections.Protocols.GetProtocol(handshake.Protocol, connections.SupportedProtocols);
            _handedOver = Protocol is null || !Protocol.IsVersionSupported(handshake.Version);
            return true;
        }

        if (!Protocol.TryParseMessage(ref buffer, Binder.Instance, out var message))
        {
            return false;
        }

        // SignalR reads nothing after a close: neither is anything after it run here.
        _handedOver = message is CloseMessage;
        invocation = message switch
        {
            StreamInvocationMessage { StreamIds: null or [], InvocationId: { Length: > 0 } } stream when stream.Target.Equals(Method, StringComparison.OrdinalIgnoreCase) => stream,
            CancelInvocationMessage { InvocationId: { } id } when _running.ContainsKey(id) => message,
            _ => null,
        };
        return true;
    }

    private async ValueTask<bool> TryRunAsync(HubMessage message)
    {
        if (message is CancelInvocationMessage cancel)
        {
            if (_running.TryGetValue(cancel.InvocationId!, out var running))
            {
                Cancel(running);
            }

            return true;
        }

        // The hub answers the handshake first: nothing of a stream may go out before that answer, nor after a refusal.
        if (!await connection.HandshakeAnswered)
        {
            _handedOver = true;
            return false;
        }

        var invocation = (StreamInvocationMessage)message;
        var id = invocation.InvocationId!;
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(connection.Closing);
        if (!_running.TryAdd(id, cancellation))
        {
            cancellation.Dispose();
            await connection.SendAsync(CompletionMessage.WithError(id, $"Invocation ID '{id}' is already in use."));
            return true;
        }

        _ = RunAsync(invocation, cancellation);
        return true;
    }

    private static void Cancel(CancellationTokenSource stream)
    {
        try
        {
            stream.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It just ended.
        }
    }

    private async Task RunAsync(StreamInvocationMessage invocation, CancellationTokenSource cancellation)
    {
        var id = invocation.InvocationId!;
        string? error = null;
        try
        {
            StreamSession session;
            try
            {
                var arguments = invocation.Arguments;
                session = await connections.HubStreams.OpenAsync(connection.HttpContext!.Request, (string)arguments[0]!, (string?)arguments[1], (string?)arguments[2], (string[]?)arguments[3], cancellation.Token);
            }
            catch (Exception e)
            {
                error = ErrorMessage($"An unexpected error occurred invoking '{invocation.Target}' on the server.", e);
                return;
            }

            using (session)
            {
                await DeliverAsync(session, id, cancellation.Token);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Cancelled by the client (or the connection closing): completed without an error, as SignalR does.
        }
        catch (Exception e)
        {
            error = ErrorMessage("An error occurred on the server while streaming results.", e);
        }
        finally
        {
            _running.TryRemove(id, out _);
            cancellation.Dispose();
            if (!connection.Closing.IsCancellationRequested)
            {
                await connection.TrySendAsync(CompletionMessage.WithError(id, error));
            }
        }
    }

    /// <summary>As <see cref="StreamHub"/>'s <c>DeliverAsync</c>: one item, one message and one id buffer for the stream.</summary>
    private async Task DeliverAsync(StreamSession session, string id, CancellationToken cancellationToken)
    {
        var eventId = new ArrayBufferWriter<byte>(256);
        var item = new HubEvent();
        var message = new StreamItemMessage(id, item);
        session.WriteId(eventId);
        item.Set(eventId.WrittenMemory, null);
        await connection.SendAsync(message);
        while (!cancellationToken.IsCancellationRequested)
        {
            await connections.HubStreams.ReadAsync(session);
            while (session.TryNext(out var e))
            {
                eventId.ResetWrittenCount();
                session.WriteId(eventId);
                session.Sent();
                item.Set(eventId.WrittenMemory, e);
                await connection.SendAsync(message);
            }
        }
    }

    /// <summary>SignalR's wording: a <see cref="HubException"/>'s message is the client's to see, any other error's is not.</summary>
    private static string ErrorMessage(string message, Exception e) => e is HubException ? $"{message} {nameof(HubException)}: {e.Message}" : message;

    /// <summary>Keeps what is not read yet (part of a message) for the next frame; nothing is held between whole messages.</summary>
    private void Keep(ReadOnlySequence<byte> rest)
    {
        if (rest.IsEmpty)
        {
            _unread = null;
            return;
        }

        var kept = new ArrayBufferWriter<byte>((int)rest.Length + 256);
        foreach (var segment in rest)
        {
            kept.Write(segment.Span);
        }

        _unread = kept;
    }

    /// <summary>Binds what this class reads: the arguments of <c>Stream</c>; anything else fails to bind and goes to the hub, which binds it itself.</summary>
    private sealed class Binder : IInvocationBinder
    {
        public static readonly Binder Instance = new();

        public IReadOnlyList<Type> GetParameterTypes(string methodName) =>
            methodName.Equals(Method, StringComparison.OrdinalIgnoreCase) ? Parameters : throw new HubException("Method does not exist.");

        public Type GetReturnType(string invocationId) => throw new HubException("No invocation with that id.");

        public Type GetStreamItemType(string streamId) => throw new HubException("No stream with that id.");
    }
}
