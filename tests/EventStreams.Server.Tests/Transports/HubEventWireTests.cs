using System.Buffers;
using System.Text;
using EventStreams.Server.Kafka;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Tests.Transports;

/// <summary>
/// A <see cref="HubEvent"/> (data encoded once per event) is the same bytes on the wire as the
/// <see cref="StreamEvent"/> (data as a per-client string) the hub sent before, over both protocols; the JSON one
/// is the hub's <see cref="HubJsonProtocol"/>, which writes an item in one piece.
/// </summary>
public sealed class HubEventWireTests
{
    public static TheoryData<byte[]> Events() => new()
    {
        Encoding.UTF8.GetBytes("""{"a":"say \"hi\"","b":"back\\slash","meta":{"topic":"t","partition":0,"offset":1}}"""),
        Encoding.UTF8.GetBytes("""{"u":"café 日本語 😀 \u00e9","html":"<b>&'+`</b>","ls":"\u2028\u2029"}"""),
        Encoding.UTF8.GetBytes("{\"c\":\"\\u0001\\n\\t\\u001f\",\"raw\":\"\u007f\"}"),
        Encoding.UTF8.GetBytes(new string('x', 70_000) + "\"é\""),
        new byte[] { (byte)'{', (byte)'"', 0xC3, (byte)'"', 0xFF, 0xED, 0xA0, 0x80, (byte)'}' },
        Array.Empty<byte>(),
    };

    public static TheoryData<string> Protocols() => new() { "json", "messagepack" };

    /// <summary>Ids as the server makes them, and ones with characters the one-piece writer leaves to JsonHubProtocol.</summary>
    public static TheoryData<string> Ids() => new()
    {
        """[{"topic":"t","partition":0,"offset":1,"quote":"\"","back":"\\"}]""",
        """[{"topic":"eqiad.mediawiki.recentchange","partition":0,"timestamp":1733500000123}]""",
        "1733500000123",
        " !#$%&'()*+,-./:;<=>?@[]^_`{|}~",
        "",
        "caf\u00e9 é",
        "tab\tnew\nline\u007f",
        "\u2028",
    };

    public static TheoryData<string> InvocationIds() => new() { "0", "1", "42", "12345678901", "a-B_9", "a\"b", "é", "1 2", "<&>" };

    [Theory]
    [MemberData(nameof(Events))]
    public void Json_protocol_writes_what_it_wrote_for_the_string(byte[] json) =>
        AssertSameWire(Json(), json);

    [Theory]
    [MemberData(nameof(Ids))]
    public void Json_protocol_writes_every_id_as_JsonHubProtocol(string id)
    {
        var e = new KafkaEvent("t", 0, 1, 0, """{"a":"\""}"""u8.ToArray());
        foreach (var data in new[] { e, null })
        {
            var old = new JsonHubProtocol().GetMessageBytes(new StreamItemMessage("3", new StreamEvent(id, data is null ? null : """{"a":"\""}""")));
            Assert.Equal(old.ToArray(), Written(Json(), new StreamItemMessage("3", Item(id, data))));
            Assert.Equal(old.ToArray(), Json().GetMessageBytes(new StreamItemMessage("3", Item(id, data))).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(InvocationIds))]
    public void Json_protocol_writes_every_invocation_id_as_JsonHubProtocol(string invocationId)
    {
        var e = new KafkaEvent("t", 0, 1, 0, """{"a":1}"""u8.ToArray());
        var old = new JsonHubProtocol().GetMessageBytes(new StreamItemMessage(invocationId, new StreamEvent("[1]", """{"a":1}""")));
        Assert.Equal(old.ToArray(), Written(Json(), new StreamItemMessage(invocationId, Item("[1]", e))));
    }

    [Fact]
    public void Json_protocol_writes_headers_and_other_messages_as_JsonHubProtocol()
    {
        var headers = new Dictionary<string, string> { ["h"] = "v" };
        HubMessage[] messages =
        [
            new StreamItemMessage("1", Item("[1]", null)) { Headers = headers },
            new StreamItemMessage("1", new StreamEvent("[1]", null)),
            CompletionMessage.WithError("1", "shutdown: stopping"),
            CompletionMessage.Empty("1"),
            PingMessage.Instance,
            new CloseMessage("bye", allowReconnect: true),
        ];
        foreach (var message in messages)
        {
            var old = message is StreamItemMessage { Item: HubEvent } item
                ? new JsonHubProtocol().GetMessageBytes(new StreamItemMessage("1", new StreamEvent("[1]", null)) { Headers = item.Headers })
                : new JsonHubProtocol().GetMessageBytes(message);
            Assert.Equal(old.ToArray(), Written(Json(), message));
        }
    }

    [Fact]
    public void Json_protocol_reads_as_JsonHubProtocol()
    {
        var input = new ReadOnlySequence<byte>("{\"type\":6}\u001e"u8.ToArray());
        Assert.True(Json().TryParseMessage(ref input, new NoBinder(), out var message));
        Assert.IsType<PingMessage>(message);
        Assert.Equal(("json", new JsonHubProtocol().Version), (Json().Name, Json().Version));
    }

    /// <summary>
    /// One span per item: a pipe keeps it in one segment, so SignalR's WebSocket transport sends it as one frame
    /// (JsonHubProtocol's writer asked for 4 KB more before the data, and items straddled two segments).
    /// </summary>
    [Fact]
    public void Json_protocol_writes_an_item_in_one_piece()
    {
        var e = new KafkaEvent("t", 0, 1, 0, Encoding.UTF8.GetBytes("{\"a\":\"" + new string('x', 1300) + "\"}"));
        var output = new CountingWriter();
        Json().WriteMessage(new StreamItemMessage("1", Item("""[{"topic":"t","partition":0,"timestamp":1}]""", e)), output);
        Assert.Equal(1, output.Advances);
        Assert.Equal(1, output.Spans);
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void MessagePack_protocol_writes_what_it_wrote_for_the_string(byte[] json) =>
        AssertSameWire(new MessagePackHubProtocol(), json);

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Start_marker_writes_null_data(string name)
    {
        IHubProtocol protocol = name == "json" ? Json() : new MessagePackHubProtocol();
        var id = """[{"topic":"t","partition":0,"offset":-1}]""";
        var old = (name == "json" ? new JsonHubProtocol() : protocol).GetMessageBytes(new StreamItemMessage("7", new StreamEvent(id, null)));
        var now = protocol.GetMessageBytes(new StreamItemMessage("7", Item(id, null)));
        Assert.Equal(old.ToArray(), now.ToArray());
    }

    [Fact]
    public void Strings_are_encoded_once_per_event()
    {
        var e = new KafkaEvent("t", 0, 1, 0, Encoding.UTF8.GetBytes("""{"a":"\""}"""));
        Assert.Same(e.Strings, e.Strings);
        Assert.Same(e.Json, e.Strings.Utf8);
        Assert.Equal(e with { }, new KafkaEvent("t", 0, 1, 0, e.Json));
    }

    private static void AssertSameWire(IHubProtocol protocol, byte[] json)
    {
        var id = """[{"topic":"t","partition":0,"offset":1,"quote":"\""}]""";
        var e = new KafkaEvent("t", 0, 1, 0, json);
        var before = protocol is HubJsonProtocol ? new JsonHubProtocol() : protocol;
        var old = before.GetMessageBytes(new StreamItemMessage("1", new StreamEvent(id, Encoding.UTF8.GetString(json)))).ToArray();
        Assert.Equal(old, Written(protocol, new StreamItemMessage("1", Item(id, e))));
        // Second client: from the cache, same bytes.
        Assert.Equal(old, protocol.GetMessageBytes(new StreamItemMessage("1", Item(id, e))).ToArray());
    }

    private static HubJsonProtocol Json() => new(Options.Create(new JsonHubProtocolOptions()));

    private static HubEvent Item(string id, KafkaEvent? data) => new(Encoding.UTF8.GetBytes(id), data);

    /// <summary>What <see cref="IHubProtocol.WriteMessage"/> writes into a connection's buffer (SignalR's write path).</summary>
    private static byte[] Written(IHubProtocol protocol, HubMessage message)
    {
        var output = new ArrayBufferWriter<byte>();
        protocol.WriteMessage(message, output);
        return output.WrittenSpan.ToArray();
    }

    private sealed class CountingWriter : IBufferWriter<byte>
    {
        private readonly ArrayBufferWriter<byte> _inner = new();

        public int Advances { get; private set; }

        public int Spans { get; private set; }

        public void Advance(int count)
        {
            Advances++;
            _inner.Advance(count);
        }

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Spans++;
            return _inner.GetMemory(sizeHint);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Spans++;
            return _inner.GetSpan(sizeHint);
        }
    }

    private sealed class NoBinder : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => throw new NotSupportedException();

        public Type GetReturnType(string invocationId) => throw new NotSupportedException();

        public Type GetStreamItemType(string streamId) => throw new NotSupportedException();
    }
}
