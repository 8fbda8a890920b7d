using System.Text;
using EventStreams.Server.Kafka;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace EventStreams.Server.Tests.Transports;

/// <summary>
/// A <see cref="HubEvent"/> (data encoded once per event) is the same bytes on the wire as the
/// <see cref="StreamEvent"/> (data as a per-client string) the hub sent before, over both protocols.
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

    [Theory]
    [MemberData(nameof(Events))]
    public void Json_protocol_writes_what_it_wrote_for_the_string(byte[] json) =>
        AssertSameWire(new JsonHubProtocol(), json);

    [Theory]
    [MemberData(nameof(Events))]
    public void MessagePack_protocol_writes_what_it_wrote_for_the_string(byte[] json) =>
        AssertSameWire(new MessagePackHubProtocol(), json);

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Start_marker_writes_null_data(string name)
    {
        IHubProtocol protocol = name == "json" ? new JsonHubProtocol() : new MessagePackHubProtocol();
        var id = """[{"topic":"t","partition":0,"offset":-1}]""";
        var old = protocol.GetMessageBytes(new StreamItemMessage("7", new StreamEvent(id, null)));
        var now = protocol.GetMessageBytes(new StreamItemMessage("7", new HubEvent(id, null)));
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
        var old = protocol.GetMessageBytes(new StreamItemMessage("1", new StreamEvent(id, Encoding.UTF8.GetString(json)))).ToArray();
        Assert.Equal(old, protocol.GetMessageBytes(new StreamItemMessage("1", new HubEvent(id, e))).ToArray());
        // Second client: from the cache, same bytes.
        Assert.Equal(old, protocol.GetMessageBytes(new StreamItemMessage("1", new HubEvent(id, e))).ToArray());
    }
}
