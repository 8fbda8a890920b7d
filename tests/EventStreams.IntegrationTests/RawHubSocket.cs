using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using MessagePack;

namespace EventStreams.IntegrationTests;

/// <summary>
/// One SignalR hub message exactly as the server sent it: the frame's opcode and the message's bytes (its record
/// separator or length prefix included). <see cref="Type"/> is the hub message type (0 for the handshake response).
/// </summary>
public sealed record RawHubMessage(WebSocketMessageType Opcode, byte[] Bytes, int Type, string? InvocationId)
{
    public const int Handshake = 0;
    public const int StreamItem = 2;
    public const int Completion = 3;
    public const int Ping = 6;
    public const int Close = 7;

    /// <summary>The message as a readable line that still shows every byte: text as is (the separator as ␞), binary as hex and as JSON.</summary>
    public override string ToString() => Opcode == WebSocketMessageType.Text || Type == Handshake
        ? $"{Opcode} {Encoding.UTF8.GetString(Bytes).Replace("\u001e", "␞", StringComparison.Ordinal)}"
        : $"{Opcode} {Convert.ToHexString(Bytes)} {AsJson()}";

    /// <summary>The message's body as JSON (a MessagePack message converted), for assertions on what it says.</summary>
    public JsonElement Json()
    {
        var json = Opcode == WebSocketMessageType.Text || Type == Handshake ? Encoding.UTF8.GetString(Bytes).TrimEnd('\u001e') : AsJson();
        return JsonDocument.Parse(json).RootElement;
    }

    private string AsJson() => MessagePackSerializer.ConvertToJson(Bytes.AsMemory(RawHubSocket.PrefixLength(Bytes)));
}

/// <summary>
/// A bare WebSocket to <c>/v2/hub</c> that records every message the server sends, split by SignalR's framing
/// (record separators for JSON, length prefixes for MessagePack) and not by WebSocket frames, since SignalR may put
/// several messages in one frame or one message in several. Every wait has a timeout and fails early if the server
/// has closed.
/// </summary>
public sealed class RawHubSocket : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly ClientWebSocket _socket = new();
    private readonly bool _messagePack;
    private readonly List<RawHubMessage> _messages = [];
    private readonly List<byte> _pending = [];
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebSocketMessageType _pendingOpcode;
    private Task _receiving = Task.CompletedTask;

    private RawHubSocket(bool messagePack) => _messagePack = messagePack;

    /// <summary>How the connection ended: the server's close frame (status and description), an abort, or null while open.</summary>
    public string? Ending { get; private set; }

    /// <summary>How many messages had arrived when the client started the closing handshake; null if it has not.</summary>
    public int? ReceivedBeforeClientClose { get; private set; }

    public IReadOnlyList<RawHubMessage> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Opens the WebSocket; a refused upgrade throws a <see cref="WebSocketException"/> whose message names the HTTP status.</summary>
    public static async Task<RawHubSocket> ConnectAsync(Uri baseAddress, bool messagePack, string? query = null, string? clientIp = null)
    {
        var socket = new RawHubSocket(messagePack);
        socket._socket.Options.CollectHttpResponseDetails = true;
        if (clientIp is not null)
        {
            socket._socket.Options.SetRequestHeader("X-Client-IP", clientIp);
        }

        var uri = new UriBuilder(baseAddress) { Scheme = "ws", Path = "v2/hub", Query = query ?? "" }.Uri;
        using var timeout = new CancellationTokenSource(Wait);
        try
        {
            await socket._socket.ConnectAsync(uri, timeout.Token);
        }
        catch (WebSocketException e)
        {
            var status = socket._socket.HttpStatusCode;
            socket._socket.Dispose();
            throw new WebSocketException(e.WebSocketErrorCode, $"upgrade refused: {(int)status} {status}", e);
        }

        socket._receiving = socket.ReceiveAsync();
        return socket;
    }

    /// <summary>
    /// Sends one WebSocket message (or, with <paramref name="endOfMessage"/> false, a fragment of one) in the protocol's
    /// frame type (text for JSON, binary for MessagePack), as SignalR's clients do, or in the other one.
    /// </summary>
    public async Task SendAsync(byte[] bytes, bool endOfMessage = true, bool otherFrameType = false)
    {
        using var timeout = new CancellationTokenSource(Wait);
        await _socket.SendAsync(bytes, _messagePack != otherFrameType ? WebSocketMessageType.Binary : WebSocketMessageType.Text, endOfMessage, timeout.Token);
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the messages received so far (or the server has closed, if <paramref name="endIsAnAnswer"/>).</summary>
    public async Task WaitForAsync(Func<IReadOnlyList<RawHubMessage>, bool> condition, string what, bool endIsAnAnswer = false)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (true)
        {
            Task changed;
            lock (_messages)
            {
                if (condition(_messages) || (endIsAnAnswer && Ending is not null))
                {
                    return;
                }

                if (Ending is not null)
                {
                    throw new InvalidOperationException($"The server ended the connection ({Ending}) before {what}; got: {Describe()}");
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Not within {Wait}: {what}; got: {Describe()}");
            }
        }
    }

    /// <summary>Waits for the server to end the connection.</summary>
    public async Task WaitForEndAsync() => await _receiving.WaitAsync(Wait);

    /// <summary>Starts the WebSocket closing handshake and waits for the server's answer.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure)
    {
        lock (_messages)
        {
            ReceivedBeforeClientClose = _messages.Count;
        }

        using var timeout = new CancellationTokenSource(Wait);
        await _socket.CloseOutputAsync(status, null, timeout.Token);
        await WaitForEndAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _receiving.WaitAsync(Wait);
        _socket.Dispose();
        _stop.Dispose();
    }

    /// <summary>The length of a MessagePack message's prefix (a 7-bit varint).</summary>
    internal static int PrefixLength(ReadOnlySpan<byte> bytes)
    {
        var n = 0;
        while (n < bytes.Length && (bytes[n] & 0x80) != 0)
        {
            n++;
        }

        return n + 1;
    }

    private string Describe() => string.Join(" | ", _messages);

    private async Task ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    End($"server closed: {result.CloseStatus} '{result.CloseStatusDescription}'");
                    return;
                }

                lock (_messages)
                {
                    if (_pending.Count > 0 && _pendingOpcode != result.MessageType)
                    {
                        Add(_pendingOpcode, [.. _pending]);
                        _pending.Clear();
                    }

                    _pendingOpcode = result.MessageType;
                    _pending.AddRange(buffer.AsSpan(0, result.Count));
                    while (TakeMessage() is { } message)
                    {
                        Add(_pendingOpcode, message);
                    }

                    Signal();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            End("still open");
        }
        catch (WebSocketException e)
        {
            End($"aborted: {e.WebSocketErrorCode}");
        }
    }

    /// <summary>The next whole message at the front of what has arrived, or null.</summary>
    private byte[]? TakeMessage()
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending);
        int length;
        if (!_messagePack || _messages.Count == 0)
        {
            length = span.IndexOf((byte)0x1e) + 1;
        }
        else
        {
            var prefix = PrefixLength(span);
            if (prefix > span.Length || prefix > 5)
            {
                return null;
            }

            var size = 0;
            for (var i = 0; i < prefix; i++)
            {
                size |= (span[i] & 0x7f) << (7 * i);
            }

            length = prefix + size <= span.Length ? prefix + size : 0;
        }

        if (length == 0)
        {
            return null;
        }

        var message = span[..length].ToArray();
        _pending.RemoveRange(0, length);
        return message;
    }

    private void Add(WebSocketMessageType opcode, byte[] bytes)
    {
        var (type, invocationId) = _messages.Count == 0 ? (RawHubMessage.Handshake, null) : Header(bytes);
        _messages.Add(new RawHubMessage(opcode, bytes, type, invocationId));
    }

    /// <summary>The type and invocation id of a hub message; -1 for bytes that are not one.</summary>
    private (int Type, string? InvocationId) Header(byte[] bytes)
    {
        try
        {
            if (!_messagePack)
            {
                using var json = JsonDocument.Parse(bytes.AsMemory(0, bytes.Length - 1));
                var root = json.RootElement;
                return (root.GetProperty("type").GetInt32(), root.TryGetProperty("invocationId", out var id) ? id.GetString() : null);
            }

            var reader = new MessagePackReader(bytes.AsMemory(PrefixLength(bytes)));
            reader.ReadArrayHeader();
            var type = reader.ReadInt32();
            if (type is < 1 or > 5)
            {
                return (type, null);
            }

            reader.Skip(); // headers
            return (type, reader.ReadString());
        }
        catch (Exception e) when (e is JsonException or MessagePackSerializationException or EndOfStreamException or InvalidOperationException or KeyNotFoundException)
        {
            return (-1, null);
        }
    }

    private void End(string ending)
    {
        lock (_messages)
        {
            if (_pending.Count > 0)
            {
                Add(_pendingOpcode, [.. _pending]);
                _pending.Clear();
            }

            Ending = ending;
            Signal();
        }
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}
