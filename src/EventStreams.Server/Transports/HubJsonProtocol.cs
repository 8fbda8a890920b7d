using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Transports;

/// <summary>
/// SignalR's JSON protocol (<c>"json"</c>, in its place), writing a stream item of a <see cref="HubEvent"/> with the
/// same bytes as <see cref="JsonHubProtocol"/> but in one piece: <c>{"type":2,"invocationId":"…","item":{"id":"…","data":…}}</c>
/// and the record separator, measured first and copied into one span of the connection's pipe. JsonHubProtocol's
/// writer asks the pipe for 4 KB more before the event's data, so each item began in one pipe segment and ended in the
/// next, and SignalR's WebSocket transport sent it as two frames (two writes into Kestrel). Everything else (an id
/// or invocation id with characters it would escape otherwise, headers, other messages, reading) goes to JsonHubProtocol.
/// </summary>
internal sealed class HubJsonProtocol(IOptions<JsonHubProtocolOptions> options) : IHubProtocol
{
    private readonly JsonHubProtocol _json = new(options);

    private static ReadOnlySpan<byte> Start => "{\"type\":2,\"invocationId\":\""u8;

    private static ReadOnlySpan<byte> ItemId => "\",\"item\":{\"id\":\""u8;

    private static ReadOnlySpan<byte> ItemData => "\",\"data\":"u8;

    private static ReadOnlySpan<byte> Null => "null"u8;

    private static ReadOnlySpan<byte> End => "}}\u001e"u8;

    public string Name => _json.Name;

    public int Version => _json.Version;

    public TransferFormat TransferFormat => _json.TransferFormat;

    public bool IsVersionSupported(int version) => _json.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
        _json.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output)
    {
        if (Measure(message) is { } length)
        {
            Write((StreamItemMessage)message, output.GetSpan(length));
            output.Advance(length);
        }
        else
        {
            _json.WriteMessage(message, output);
        }
    }

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message)
    {
        if (Measure(message) is not { } length)
        {
            return _json.GetMessageBytes(message);
        }

        var bytes = new byte[length];
        Write((StreamItemMessage)message, bytes);
        return bytes;
    }

    /// <summary>The length of a stream item this class writes itself, or <c>null</c> for JsonHubProtocol's.</summary>
    private static int? Measure(HubMessage message)
    {
        if (message is not StreamItemMessage { Item: HubEvent item, InvocationId: { Length: > 0 } invocationId } streamItem
            || streamItem.Headers is { Count: > 0 }
            || !IsPlain(invocationId)
            || EscapedLength(item.Id.Span) is not { } id)
        {
            return null;
        }

        var data = item.Data?.Strings.JsonString.Length ?? Null.Length;
        return Start.Length + invocationId.Length + ItemId.Length + id + ItemData.Length + data + End.Length;
    }

    private static void Write(StreamItemMessage message, Span<byte> span)
    {
        var item = (HubEvent)message.Item!;
        var at = Copy(Start, span, 0);
        foreach (var c in message.InvocationId!)
        {
            span[at++] = (byte)c;
        }

        at = Copy(ItemId, span, at);
        foreach (var b in item.Id.Span)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                span[at++] = (byte)'\\';
            }

            span[at++] = b;
        }

        at = Copy(ItemData, span, at);
        at = Copy(item.Data is null ? Null : item.Data.Strings.JsonString, span, at);
        Copy(End, span, at);
    }

    private static int Copy(ReadOnlySpan<byte> from, Span<byte> to, int at)
    {
        from.CopyTo(to[at..]);
        return at + from.Length;
    }

    /// <summary>Letters, digits, <c>-</c> and <c>_</c>: written as they are (SignalR's clients number their invocations).</summary>
    private static bool IsPlain(string invocationId)
    {
        foreach (var c in invocationId)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The id's length as a JSON string's content when it is printable ASCII, where SignalR's writer (relaxed escaping)
    /// escapes only <c>"</c> and <c>\</c>, each with a backslash; <c>null</c> for any other byte.
    /// </summary>
    private static int? EscapedLength(ReadOnlySpan<byte> id)
    {
        var length = id.Length;
        foreach (var b in id)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return null;
            }

            if (b is (byte)'"' or (byte)'\\')
            {
                length++;
            }
        }

        return length;
    }
}
