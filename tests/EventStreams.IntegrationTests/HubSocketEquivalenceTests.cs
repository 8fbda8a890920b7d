using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using EventStreams.Server.Catalog;
using EventStreams.Server.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace EventStreams.IntegrationTests;

/// <summary>
/// The hub's WebSockets served by our own code (<c>SignalR:DirectWebSockets=true</c>) speak SignalR's hub protocol
/// byte for byte: the same raw WebSocket conversations, held with a server that leaves them to SignalR (the reference)
/// and with one that serves them itself, get the same messages (opcode and bytes of each; not how they are cut into
/// frames) and end the same way. Each conversation runs against both at once; each server has its own embedded
/// cluster holding the same events with the same timestamps, so ids are the same too. Messages of different
/// invocations are compared per invocation where SignalR itself does not order them.
/// </summary>
public sealed class HubSocketEquivalenceTests(HubSocketEquivalenceTests.Servers servers, ITestOutputHelper output) : IClassFixture<HubSocketEquivalenceTests.Servers>
{
    private const string History = "eq.history";
    private const string Quiet = "eq.quiet";
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(3);
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Every topic but the quiet one holds these from the start: two events in one millisecond (the id counts them), text to escape, a 70 KB value, a key.</summary>
    private static readonly (string Json, string? Key, int Ms)[] Fixed =
    [
        ("""{"i":0,"kind":"keep","text":"plain"}""", null, 0),
        ("""{"i":1,"kind":"skip","text":"é 東京 😀 <b>&amp;</b> \"q\" \\ \u2028 \u0001"}""", null, 0),
        ($$"""{"i":2,"kind":"keep","big":"{{new string('x', 70_000)}}"}""", null, 1),
        ("""{"i":3,"kind":"keep"}""", "page-3", 2),
        ("""{"i":4,"kind":"skip"}""", null, 3),
        ("""{"i":5,"kind":"keep"}""", null, 3),
    ];

    private static readonly string Catalogue = $"""
        streams:
          {History}:
            topics: [{History}]
          {Quiet}:
            topics: [{Quiet}]
          eq.cancel.json:
            topics: [eq.cancel.json]
          eq.cancel.messagepack:
            topics: [eq.cancel.messagepack]
        """;

    public static TheoryData<bool> Protocols => new() { false, true };

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Handshake_Accepted_SameAnswer(bool messagePack)
    {
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.WaitForAsync(m => m.Count >= 1, "the handshake response");
        });

        AssertSame(reference, subject);
        Assert.Equal("{}\u001e", Encoding.UTF8.GetString(reference.Messages.Single().Bytes));
    }

    /// <summary>The comparison means something only if the subject's sockets are ours and the reference's SignalR's.</summary>
    [Fact]
    public async Task Subject_IsServedByTheDirectPath_TheReferenceBySignalR()
    {
        var open = await Task.WhenAll(new[] { servers.Reference, servers.Subject }.Select(async server =>
        {
            await using var socket = await RawHubSocket.ConnectAsync(server.BaseAddress, messagePack: false);
            await socket.SendAsync(Handshake(false));
            await socket.WaitForAsync(m => m.Count == 1, "the handshake response");
            return server.App.Services.GetRequiredService<HubSocketConnections>().Count;
        }));

        Assert.Equal(0, open[0]);
        Assert.True(open[1] >= 1, $"the subject holds {open[1]} direct hub sockets");
    }

    [Theory]
    [InlineData(false, """{"protocol":"nope","version":1}""")]
    [InlineData(true, """{"protocol":"nope","version":1}""")]
    [InlineData(false, """{"protocol":"json","version":99}""")]
    [InlineData(true, """{"protocol":"messagepack","version":99}""")]
    [InlineData(false, """{"protocol":"json","version":1""")]
    [InlineData(false, """{"version":1}""")]
    [InlineData(false, """{"protocol":"json"}""")]
    [InlineData(false, """{"protocol":1,"version":"1"}""")]
    [InlineData(false, "not json")]
    [InlineData(true, "not json")]
    public async Task Handshake_Refused_SameAnswerSameClose(bool messagePack, string handshake)
    {
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(handshake + "\u001e"));
            await socket.WaitForEndAsync();
        });

        AssertSame(reference, subject);
        Assert.DoesNotContain("after client close", reference.Ending, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handshake_NeverSent_ClosedAfterTheHandshakeTimeout()
    {
        var (reference, subject) = await RunAsync(false, async (socket, _) => await socket.WaitForEndAsync());

        AssertSame(reference, subject);
        Assert.Equal("{\"error\":\"Handshake was canceled.\"}\u001e", Encoding.UTF8.GetString(reference.Messages.Single().Bytes));
        Assert.DoesNotContain("after client close", reference.Ending, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Stream_ItemsThenCancel_NoMoreItems_ASecondStreamWorks(bool messagePack)
    {
        var topic = messagePack ? "eq.cancel.messagepack" : "eq.cancel.json";
        var (reference, subject) = await RunAsync(messagePack, async (socket, server) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("1", "Stream", [topic, "0", null, null])));
            await socket.WaitForAsync(m => Count(m, "1") == Fixed.Length + 1, "the start marker and every event");
            await socket.SendAsync(Message(messagePack, new CancelInvocationMessage("1")));
            await socket.WaitForAsync(m => m.Any(x => x.Type == RawHubMessage.Completion && x.InvocationId == "1"), "the completion of the cancelled stream");
            await server.ProduceAsync(topic, 0, """{"i":6,"kind":"keep"}""", timestamp: T0.AddMilliseconds(10));
            await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("2", "Stream", [topic, "0", null, null])));
            await socket.WaitForAsync(m => Count(m, "2") == Fixed.Length + 2, "the second stream's start marker and every event");
        });

        AssertSame(reference, subject);
        var first = Items(reference, "1");
        Assert.Null(first[0].Data);
        Assert.Equal(Enumerable.Range(0, Fixed.Length), first.Skip(1).Select(e => I(e.Data!)));
        Assert.Equal(Fixed.Select(e => JsonDocument.Parse(e.Json).RootElement.GetProperty("i").GetInt32()), first.Skip(1).Select(e => I(e.Data!)));
        Assert.Equal(Enumerable.Range(0, Fixed.Length + 1), Items(reference, "2").Skip(1).Select(e => I(e.Data!)));
        Assert.Equal(first.Skip(1).Select(e => e.Id), Items(reference, "2").Skip(1).Take(Fixed.Length).Select(e => e.Id));
        Assert.Equal(RawHubMessage.Completion, reference.Messages.Last(m => m.InvocationId == "1").Type);
    }

    /// <summary>Where a stream starts: latest, since a time, from an id (offset form, timestamp form with a skip).</summary>
    [Theory]
    [InlineData(false, null, null, 0)]
    [InlineData(true, null, null, 0)]
    [InlineData(false, "2026-01-01T00:00:00.002Z", null, 3)]
    [InlineData(true, "1767225600002", null, 3)]
    [InlineData(false, null, """[{"topic":"eq.history","partition":0,"offset":3}]""", 3)]
    [InlineData(true, null, """[{"topic":"eq.history","partition":0,"offset":3}]""", 3)]
    [InlineData(false, "0", """[{"topic":"eq.history","partition":0,"timestamp":1767225600000,"skip":1}]""", 5)]
    [InlineData(true, "0", """[{"topic":"eq.history","partition":0,"timestamp":1767225600000,"skip":1}]""", 5)]
    public async Task Stream_StartPositions_SameItems(bool messagePack, string? since, string? lastEventId, int events)
    {
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("1", "Stream", [History, since, lastEventId, null])));
            await socket.WaitForAsync(m => Count(m, "1") == events + 1, "the start marker and the events");
        });

        AssertSame(reference, subject);
        Assert.Equal(Enumerable.Range(Fixed.Length - events, events), Items(reference, "1").Skip(1).Select(e => I(e.Data!)));
    }

    [Theory]
    [InlineData(false, "eq.nope", null, null, null)]
    [InlineData(true, "eq.nope", null, null, null)]
    [InlineData(false, $"{History},eq.nope", null, null, null)]
    [InlineData(false, History, "not-a-time", null, null)]
    [InlineData(true, History, "not-a-time", null, null)]
    [InlineData(false, History, null, "not json", null)]
    [InlineData(false, History, null, """[{"topic":"eq.quiet","partition":0,"offset":0}]""", null)]
    [InlineData(false, History, null, null, "nofilter")]
    [InlineData(true, History, null, null, "nofilter")]
    [InlineData(false, "", null, null, null)]
    public async Task Stream_BadRequest_CompletesWithTheSameError(bool messagePack, string streams, string? since, string? lastEventId, string? filter)
    {
        string[]? filters = filter is null ? null : [filter];
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("1", "Stream", [streams, since, lastEventId, filters])));
            await socket.WaitForAsync(m => m.Any(x => x.Type == RawHubMessage.Completion), "the completion");
            await FenceAsync(socket, messagePack);
        });

        AssertSame(reference, subject, perInvocation: true);
        Assert.True(reference.Messages.Single(m => m.InvocationId == "1").Json().ToString().Contains("error", StringComparison.Ordinal));
    }

    public static TheoryData<bool, string> BadInvocations()
    {
        var data = new TheoryData<bool, string>();
        foreach (var messagePack in new[] { false, true })
        {
            foreach (var name in BadInvocation.Keys)
            {
                data.Add(messagePack, name);
            }
        }

        return data;
    }

    /// <summary>Invocations SignalR answers with a completion (an error) or a close; what else follows on the connection shows whether it stays usable.</summary>
    private static readonly Dictionary<string, HubMessage> BadInvocation = new()
    {
        ["unknown method"] = new StreamInvocationMessage("1", "Nope", [History, "0", null, null]),
        ["unknown method, lower case"] = new StreamInvocationMessage("1", "stream", [History, "0", null, null]),
        ["non-streaming invocation of Stream"] = new InvocationMessage("1", "Stream", [History, "0", null, null]),
        ["non-blocking invocation of Stream"] = new InvocationMessage("Stream", [History, "0", null, null]),
        ["too few arguments"] = new StreamInvocationMessage("1", "Stream", [History, "0"]),
        ["too many arguments"] = new StreamInvocationMessage("1", "Stream", [History, "0", null, null, null]),
        ["no arguments"] = new StreamInvocationMessage("1", "Stream", []),
        ["wrong argument types"] = new StreamInvocationMessage("1", "Stream", [42, true, new Dictionary<string, int> { ["a"] = 1 }, 7]),
        ["filters not an array"] = new StreamInvocationMessage("1", "Stream", [History, "0", null, "kind=keep"]),
        ["with stream ids"] = new StreamInvocationMessage("1", "Stream", [History, "0", null, null], ["s1"]),
        ["a completion from the client"] = CompletionMessage.WithResult("1", 1),
        ["a stream item from the client"] = new StreamItemMessage("1", 1),
        ["a cancel of nothing"] = new CancelInvocationMessage("1"),
        ["an empty invocation id"] = new StreamInvocationMessage("", "Stream", [History, "0", null, null]),
        ["larger than the hub accepts"] = new StreamInvocationMessage("1", "Stream", [History, "0", null, new[] { "kind=" + new string('x', 40_000) }]),
    };

    [Theory]
    [MemberData(nameof(BadInvocations))]
    public async Task Invocation_Wrong_SameAnswer(bool messagePack, string name)
    {
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.SendAsync(Message(messagePack, BadInvocation[name]));
            if (BadInvocation[name] is HubMethodInvocationMessage { InvocationId: "1" })
            {
                // Its answer: an error, or a stream ("stream" is "Stream" to SignalR), or the connection's end.
                await socket.WaitForAsync(m => m.Any(x => x.Type == RawHubMessage.Completion) || Count(m, "1") == Fixed.Length + 1, "the answer to 1", endIsAnAnswer: true);
            }

            await FenceAsync(socket, messagePack);
        });

        AssertSame(reference, subject, perInvocation: true);
        Assert.Equal("{}\u001e", Encoding.UTF8.GetString(reference.Messages[0].Bytes));
    }

    [Theory]
    [InlineData(false, "{\"type\":1,\u001e")]
    [InlineData(false, "{}\u001e")]
    [InlineData(true, "\u0001\u00c1")]
    [InlineData(false, "{\"protocol\":\"json\",\"version\":1}\u001e")]
    public async Task Message_Malformed_SameAnswerSameClose(bool messagePack, string message)
    {
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.SendAsync(messagePack ? [.. message.Select(c => (byte)c)] : Encoding.UTF8.GetBytes(message));
            await FenceAsync(socket, messagePack);
        });

        AssertSame(reference, subject, perInvocation: true);
        Assert.Equal("{}\u001e", Encoding.UTF8.GetString(reference.Messages[0].Bytes));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Ping_NothingBack_TheConnectionStays(bool messagePack)
    {
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.SendAsync(Message(messagePack, PingMessage.Instance));
            await socket.SendAsync(Message(messagePack, PingMessage.Instance));
            await FenceAsync(socket, messagePack);
        });

        AssertSame(reference, subject);
        Assert.DoesNotContain(reference.Messages, m => m.Type == RawHubMessage.Ping);
        Assert.Equal(Fixed.Length + 1, Count(reference.Messages, "9"));
    }

    /// <summary>SignalR answers a client's close message with its own and closes; a stream asked for after it (in the same WebSocket message or the next) is not served.</summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task CloseMessage_FromTheClient_SameEnd(bool messagePack, bool streamInTheSameMessage)
    {
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("1", "Stream", [Quiet, null, null, null])));
            await socket.WaitForAsync(m => Count(m, "1") == 1, "the start marker");
            if (streamInTheSameMessage)
            {
                await socket.SendAsync([.. Message(messagePack, CloseMessage.Empty), .. Message(messagePack, new StreamInvocationMessage("9", "Stream", [History, "0", null, null]))]);
                await socket.WaitForEndAsync();
                return;
            }

            await socket.SendAsync(Message(messagePack, CloseMessage.Empty));
            await FenceAsync(socket, messagePack);
        });

        AssertSame(reference, subject, perInvocation: true);
        Assert.Equal(RawHubMessage.StreamItem, reference.Messages[1].Type);
    }

    /// <summary>A browser leaving the page closes with 1001; SignalR answers every client's close with 1000 and sends nothing after it.</summary>
    [Theory]
    [InlineData(false, System.Net.WebSockets.WebSocketCloseStatus.NormalClosure)]
    [InlineData(true, System.Net.WebSockets.WebSocketCloseStatus.NormalClosure)]
    [InlineData(false, System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable)]
    [InlineData(true, System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable)]
    public async Task WebSocketClose_FromTheClientDuringAStream_SameAnswer(bool messagePack, System.Net.WebSockets.WebSocketCloseStatus status)
    {
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("1", "Stream", [Quiet, null, null, null])));
            await socket.WaitForAsync(m => Count(m, "1") == 1, "the start marker");
            await socket.CloseAsync(status);
        });

        AssertSame(reference, subject);
        Assert.Equal(2, reference.Messages.Count);
        Assert.Equal("server closed: NormalClosure ''", reference.Ending);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Stream_AnInvocationIdInUse_SameAnswer(bool messagePack)
    {
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("1", "Stream", [Quiet, null, null, null])));
            await socket.WaitForAsync(m => Count(m, "1") == 1, "the start marker");
            await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("1", "Stream", [History, "0", null, null])));
            await socket.WaitForAsync(m => m.Any(x => x.Type == RawHubMessage.Completion), "the second invocation's completion");
            await FenceAsync(socket, messagePack);
        });

        AssertSame(reference, subject, perInvocation: true);
        Assert.Contains("already in use", reference.Messages.Single(m => m.Type == RawHubMessage.Completion).Json().ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task TwoStreams_OneConnection_BothDeliver(bool messagePack)
    {
        var kept = Fixed.Count(e => e.Json.Contains("\"keep\"", StringComparison.Ordinal));
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("a", "Stream", [History, "0", null, null])));
            await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("b", "Stream", [History, "1970-01-01T00:00:00Z", null, new[] { "kind!=skip" }])));
            await socket.WaitForAsync(m => Count(m, "a") == Fixed.Length + 1 && Count(m, "b") == kept + 1, "both streams' events");
        });

        AssertSame(reference, subject, perInvocation: true);
        Assert.Equal(Fixed.Length, Items(reference, "a").Count(e => e.Data is not null));
        Assert.Equal([0, 2, 3, 5], Items(reference, "b").Skip(1).Select(e => I(e.Data!)));
    }

    /// <summary>Twenty streams at once on one connection, each with the 70 KB event: every message arrives whole and in its stream's order.</summary>
    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task ManyStreams_OneConnection_EveryMessageWhole(bool messagePack)
    {
        var ids = Enumerable.Range(0, 20).Select(n => "s" + n).ToList();
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.SendAsync([.. ids.SelectMany(id => Message(messagePack, new StreamInvocationMessage(id, "Stream", [History, "0", null, null])))]);
            await socket.WaitForAsync(m => ids.All(id => Count(m, id) == Fixed.Length + 1), "every stream's events");
        });

        AssertSame(reference, subject, perInvocation: true);
        Assert.All(ids, id => Assert.Equal(Enumerable.Range(0, Fixed.Length), Items(subject, id).Skip(1).Select(e => I(e.Data!))));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Negotiated_ConnectWithTheId_SameFrames(bool messagePack)
    {
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await FenceAsync(socket, messagePack);
        }, negotiate: true);

        AssertSame(reference, subject);
        Assert.Equal(Fixed.Length + 1, Count(reference.Messages, "9"));
    }

    /// <summary>The benchmark's client sends its handshake and first invocation in one WebSocket message; others cut messages anywhere.</summary>
    [Theory]
    [InlineData(false, "one message")]
    [InlineData(true, "one message")]
    [InlineData(false, "cut into messages")]
    [InlineData(true, "cut into messages")]
    [InlineData(false, "fragments of one message")]
    [InlineData(true, "fragments of one message")]
    [InlineData(false, "the other frame type")]
    [InlineData(true, "the other frame type")]
    public async Task HandshakeAndInvocations_HoweverTheyAreFramed_SameAnswer(bool messagePack, string framing)
    {
        byte[] all =
        [
            .. Handshake(messagePack),
            .. Message(messagePack, new StreamInvocationMessage("1", "Stream", [History, "0", null, null])),
            .. Message(messagePack, PingMessage.Instance),
            .. Message(messagePack, new StreamInvocationMessage("2", "Stream", [History, "0", null, new[] { "kind=keep" }])),
        ];
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            if (framing is "one message" or "the other frame type")
            {
                await socket.SendAsync(all, otherFrameType: framing == "the other frame type");
            }
            else
            {
                // Cuts inside the handshake, inside a length prefix or record, and on a boundary.
                var cuts = new[] { 0, 5, 33, 40, all.Length - 7, all.Length };
                for (var n = 1; n < cuts.Length; n++)
                {
                    await socket.SendAsync(all[cuts[n - 1]..cuts[n]], endOfMessage: framing == "cut into messages" || n == cuts.Length - 1);
                }
            }

            // MessagePack in a text frame is not UTF-8: a WebSocket closes with 1007 for that.
            await socket.WaitForAsync(m => Count(m, "1") == Fixed.Length + 1 && Count(m, "2") == 5, "both streams' events", endIsAnAnswer: framing == "the other frame type");
        });

        AssertSame(reference, subject, perInvocation: true);
        Assert.Equal(messagePack && framing == "the other frame type" ? [] : [0, 2, 3, 5], Items(reference, "2").Skip(1).Select(e => I(e.Data!)));
    }

    /// <summary>A negotiated token opens one WebSocket; a second upgrade with it while the first is open, with the connection id instead of the token, or with an unknown one is refused.</summary>
    /// <summary>Many small messages in one large WebSocket frame (70 KB, over twice the hub's message size): each message counts, not the frame.</summary>
    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task ManyMessages_InOneLargeFrame_SameAnswer(bool messagePack)
    {
        var ping = Message(messagePack, PingMessage.Instance);
        byte[] batch =
        [
            .. Enumerable.Repeat(ping, (70 * 1024 / ping.Length) + 1).SelectMany(p => p),
            .. Message(messagePack, new StreamInvocationMessage("1", "Stream", [History, "0", null, null])),
        ];
        var (reference, subject) = await RunAsync(messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.SendAsync(batch);
            await socket.WaitForAsync(m => Count(m, "1") == Fixed.Length + 1, "the stream's events", endIsAnAnswer: true);
        });

        AssertSame(reference, subject);
        Assert.Equal(Fixed.Length + 1, Count(reference.Messages, "1"));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Negotiated_TheTokenUsedTwiceOrWrong_SameRefusal(bool messagePack)
    {
        var both = await Task.WhenAll(new[] { servers.Reference, servers.Subject }.Select(async server =>
        {
            var (token, connectionId) = await NegotiateAsync(server);
            await using var first = await RawHubSocket.ConnectAsync(server.BaseAddress, messagePack, "id=" + Uri.EscapeDataString(token));
            await first.SendAsync(Handshake(messagePack));
            await first.WaitForAsync(m => m.Count == 1, "the handshake response");
            var refusals = new List<string>();
            foreach (var id in new[] { token, connectionId, "nope" })
            {
                refusals.Add(await UpgradeOutcomeAsync(server, messagePack, "id=" + Uri.EscapeDataString(id)));
            }

            await FenceAsync(first, messagePack);
            await first.CloseAsync();
            return (Refusals: refusals, Transcript: Transcript.Of(first));
        }));

        output.WriteLine(string.Join(Environment.NewLine, both[0].Refusals));
        Assert.Equal(both[0].Refusals, both[1].Refusals);
        AssertSame(both[0].Transcript, both[1].Transcript);
        Assert.Equal(["upgrade refused: 409 Conflict", "upgrade refused: 404 NotFound", "upgrade refused: 404 NotFound"], both[0].Refusals);
        Assert.Equal(Fixed.Length + 1, Count(both[0].Transcript.Messages, "9"));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task ClientTimeout_AClientThatPingedThenFellSilent_ClosedTheSameWay(bool messagePack)
    {
        await using var pair = await Servers.StartPairAsync(o => o.ClientTimeoutInterval = TimeSpan.FromSeconds(1));

        var (reference, subject) = await RunAsync(pair, messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("1", "Stream", [Quiet, null, null, null])));
            await socket.SendAsync(Message(messagePack, PingMessage.Instance));
            await socket.WaitForEndAsync();
        });

        AssertSame(reference, subject, perInvocation: true);
        Assert.Equal(RawHubMessage.Close, reference.Messages[^1].Type);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task KeepAlive_Idle_TheServerPingsTheSame(bool messagePack)
    {
        await using var pair = await Servers.StartPairAsync(o => o.KeepAliveInterval = TimeSpan.FromMilliseconds(100));

        var (reference, subject) = await RunAsync(pair, messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.WaitForAsync(m => m.Count >= 2, "a ping after the handshake");
            await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("1", "Stream", [Quiet, null, null, null])));
            await socket.WaitForAsync(m => m.SkipWhile(x => x.InvocationId != "1").Any(x => x.Type == RawHubMessage.Ping), "a ping while the stream is idle");
        });

        // How many pings arrive before the client closes is timing; what they are and what else was sent is not.
        Assert.Equal(reference.Messages.Take(2).Select(m => m.ToString()), subject.Messages.Take(2).Select(m => m.ToString()));
        Assert.Equal(Lines(reference, m => m.Type != RawHubMessage.Ping), Lines(subject, m => m.Type != RawHubMessage.Ping));
        Assert.Equal(Lines(reference, m => m.Type == RawHubMessage.Ping).Distinct(), Lines(subject, m => m.Type == RawHubMessage.Ping).Distinct());
        Assert.Equal(reference.Ending, subject.Ending);
        Assert.Equal(RawHubMessage.Ping, reference.Messages[1].Type);
        Assert.Equal(messagePack ? "029106" : "7B2274797065223A367D1E", Convert.ToHexString(reference.Messages[1].Bytes));
    }

    /// <summary>
    /// With a limit of two streams per client, a third is refused and a cancelled one frees its slot; without the client's
    /// key header every stream is refused.
    /// </summary>
    [Theory]
    [InlineData(false, "192.0.2.7")]
    [InlineData(true, "192.0.2.7")]
    [InlineData(false, null)]
    public async Task Stream_PerClientLimit_SameRefusalsSameRelease(bool messagePack, string? clientIp)
    {
        await using var pair = await Servers.StartPairAsync(null, "--Streaming:MaxConnectionsPerClient=2", "--ForwardedHeaders:TrustedProxies:0=127.0.0.0/8");

        var (reference, subject) = await RunAsync(pair, messagePack, async (socket, _) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            foreach (var id in new[] { "1", "2", "3" })
            {
                await socket.SendAsync(Message(messagePack, new StreamInvocationMessage(id, "Stream", [Quiet, null, null, null])));
                await socket.WaitForAsync(m => m.Any(x => x.InvocationId == id), "an answer to " + id);
            }

            await socket.SendAsync(Message(messagePack, new CancelInvocationMessage("1")));
            await socket.WaitForAsync(m => m.Any(x => x.Type == RawHubMessage.Completion && x.InvocationId == "1"), "the completion of 1");
            await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("4", "Stream", [Quiet, null, null, null])));
            await socket.WaitForAsync(m => m.Any(x => x.InvocationId == "4"), "an answer to 4");
        }, clientIp: clientIp);

        AssertSame(reference, subject, perInvocation: true);
        var refused = reference.Messages.Where(m => m.Type == RawHubMessage.Completion && m.InvocationId != "1").Select(m => m.InvocationId);
        Assert.Equal(clientIp is null ? ["2", "3", "4"] : ["3"], refused);
    }

    /// <summary>A stream removed from the catalogue ends its hub streams with the same error.</summary>
    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Stream_RemovedFromTheCatalogue_SameError(bool messagePack)
    {
        await using var pair = await Servers.StartPairAsync();

        var (reference, subject) = await RunAsync(pair, messagePack, async (socket, server) =>
        {
            await socket.SendAsync(Handshake(messagePack));
            await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("1", "Stream", [Quiet, null, null, null])));
            await socket.WaitForAsync(m => Count(m, "1") == 1, "the start marker");
            var path = server.App.Services.GetRequiredService<IOptions<StreamConfigOptions>>().Value.Uri;
            await File.WriteAllTextAsync(path, Catalogue.Replace($"  {Quiet}:\n    topics: [{Quiet}]\n", "", StringComparison.Ordinal));
            await server.App.Services.GetRequiredService<StreamCatalog>().ReloadAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            await socket.WaitForAsync(m => m.Any(x => x.Type == RawHubMessage.Completion), "the stream's end");
            await FenceAsync(socket, messagePack);
        });

        AssertSame(reference, subject, perInvocation: true);
        Assert.Contains("stream_removed:", reference.Messages.Single(m => m.Type == RawHubMessage.Completion).Json().ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A stream of every fixed event on invocation "9": proves the connection still serves, and orders what came before it.
    /// Waits for every other stream of the history too (an invocation the test sent may have started one).
    /// </summary>
    private static async Task FenceAsync(RawHubSocket socket, bool messagePack)
    {
        await socket.SendAsync(Message(messagePack, new StreamInvocationMessage("9", "Stream", [History, "0", null, null])));
        await socket.WaitForAsync(
            m => Count(m, "9") == Fixed.Length + 1 && m.Where(IsHistoryItem).GroupBy(x => x.InvocationId).All(g => g.Count() == Fixed.Length + 1),
            "the fence stream's events",
            endIsAnAnswer: true);
    }

    private static bool IsHistoryItem(RawHubMessage message) =>
        message.Type == RawHubMessage.StreamItem && message.Bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(History)) >= 0;

    private Task<(Transcript Reference, Transcript Subject)> RunAsync(bool messagePack, Func<RawHubSocket, TestServer, Task> conversation, bool negotiate = false) =>
        RunAsync(servers, messagePack, conversation, negotiate);

    /// <summary>Holds the conversation with both servers at once; a socket still open at its end is closed by the client.</summary>
    private static async Task<(Transcript Reference, Transcript Subject)> RunAsync(
        Servers pair, bool messagePack, Func<RawHubSocket, TestServer, Task> conversation, bool negotiate = false, string? clientIp = null)
    {
        var both = await Task.WhenAll(RunOneAsync(pair.Reference, "reference (SignalR)"), RunOneAsync(pair.Subject, "subject (DirectWebSockets)"));
        return (both[0], both[1]);

        async Task<Transcript> RunOneAsync(TestServer server, string side)
        {
            try
            {
                var query = negotiate ? "id=" + Uri.EscapeDataString((await NegotiateAsync(server)).Token) : null;
                await using var socket = await RawHubSocket.ConnectAsync(server.BaseAddress, messagePack, query, clientIp);
                await conversation(socket, server);
                var closedByClient = socket.Ending is null;
                if (closedByClient)
                {
                    await socket.CloseAsync();
                }

                return Transcript.Of(socket, closedByClient ? "after client close, " : "");
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"{side}: {e.Message}", e);
            }
        }
    }

    /// <summary>Whether a WebSocket to the hub with this query is refused (and how) or accepted (then closed at once).</summary>
    private static async Task<string> UpgradeOutcomeAsync(TestServer server, bool messagePack, string query)
    {
        try
        {
            await using var socket = await RawHubSocket.ConnectAsync(server.BaseAddress, messagePack, query);
            return "accepted";
        }
        catch (System.Net.WebSockets.WebSocketException e)
        {
            return e.Message;
        }
    }

    private static async Task<(string Token, string ConnectionId)> NegotiateAsync(TestServer server)
    {
        using var http = server.CreateClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await http.PostAsync("v2/hub/negotiate?negotiateVersion=1", null, timeout.Token);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
        return (body.GetProperty("connectionToken").GetString()!, body.GetProperty("connectionId").GetString()!);
    }

    private void AssertSame(Transcript reference, Transcript subject, bool perInvocation = false)
    {
        foreach (var (side, transcript) in new[] { ("reference", reference), ("subject", subject) })
        {
            output.WriteLine(side + ":");
            foreach (var line in Lines(transcript, perInvocation).Append(transcript.Ending))
            {
                output.WriteLine(" " + Shorter(line));
            }
        }

        var (expected, actual) = (Lines(reference, perInvocation), Lines(subject, perInvocation));
        var at = Enumerable.Range(0, Math.Min(expected.Count, actual.Count)).FirstOrDefault(n => expected[n] != actual[n], Math.Min(expected.Count, actual.Count));
        Assert.True(
            at == expected.Count && at == actual.Count,
            $"messages differ from #{at} ({expected.Count} from SignalR, {actual.Count} direct):\n reference: {Shown(expected, at)}\n subject:   {Shown(actual, at)}");
        Assert.Equal(reference.Ending, subject.Ending);
    }

    private static string Shown(List<string> lines, int at) => at < lines.Count ? Shorter(lines[at]) : "(none)";

    private static string Shorter(string line) => line.Length > 400 ? line[..400] + "…" : line;

    /// <summary>The messages as lines; per invocation: grouped by invocation id (stable), since SignalR interleaves invocations as they run.</summary>
    private static List<string> Lines(Transcript transcript, bool perInvocation) =>
        [.. (perInvocation ? transcript.Messages.OrderBy(m => m.InvocationId, StringComparer.Ordinal) : transcript.Messages.AsEnumerable()).Select(m => m.ToString())];

    private static List<string> Lines(Transcript transcript, Func<RawHubMessage, bool> which) => [.. transcript.Messages.Where(which).Select(m => m.ToString())];

    private static int Count(IEnumerable<RawHubMessage> messages, string invocationId) =>
        messages.Count(m => m.Type == RawHubMessage.StreamItem && m.InvocationId == invocationId);

    /// <summary>The stream items of one invocation as (id, data), from either protocol.</summary>
    private static List<(string Id, string? Data)> Items(Transcript transcript, string invocationId) =>
        [.. transcript.Messages.Where(m => m.Type == RawHubMessage.StreamItem && m.InvocationId == invocationId).Select(m =>
        {
            var json = m.Json();
            var item = json.ValueKind == JsonValueKind.Array ? json[3] : json.GetProperty("item");
            var (id, data) = item.TryGetProperty("id", out var i) ? (i, item.GetProperty("data")) : (item.GetProperty("Id"), item.GetProperty("Data"));
            return (id.GetString()!, data.GetString());
        })];

    private static int I(string json) => JsonDocument.Parse(json).RootElement.GetProperty("i").GetInt32();

    private static byte[] Handshake(bool messagePack) =>
        Encoding.UTF8.GetBytes($$"""{"protocol":"{{(messagePack ? "messagepack" : "json")}}","version":1}""" + "\u001e");

    /// <summary>A message as SignalR's own clients encode it.</summary>
    private static byte[] Message(bool messagePack, HubMessage message) =>
        (messagePack ? (IHubProtocol)new MessagePackHubProtocol() : new JsonHubProtocol()).GetMessageBytes(message).ToArray();

    public sealed record Transcript(IReadOnlyList<RawHubMessage> Messages, string Ending)
    {
        /// <summary>
        /// What the socket received and how it ended. A hub close message that arrives after the client began the closing
        /// handshake is left out: whether SignalR's own transport still sends the one its hub writes then is a race (seen both ways).
        /// </summary>
        public static Transcript Of(RawHubSocket socket, string endingPrefix = "")
        {
            var messages = socket.Messages;
            var before = socket.ReceivedBeforeClientClose ?? messages.Count;
            return new([.. messages.Take(before), .. messages.Skip(before).Where(m => m.Type != RawHubMessage.Close)], endingPrefix + socket.Ending);
        }
    }

    /// <summary>The reference (every request to SignalR) and the subject (WebSockets served directly), each with the fixed events.</summary>
    public sealed class Servers : IAsyncLifetime, IAsyncDisposable
    {
        public TestServer Reference { get; private set; } = null!;

        public TestServer Subject { get; private set; } = null!;

        public static async Task<Servers> StartPairAsync(Action<HubOptions>? hub = null, params string[] settings)
        {
            var servers = new Servers();
            await servers.StartAsync(hub, settings);
            return servers;
        }

        public Task InitializeAsync() => StartAsync(null, []);

        public async Task DisposeAsync()
        {
            await Subject.DisposeAsync();
            await Reference.DisposeAsync();
        }

        async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

        private async Task StartAsync(Action<HubOptions>? hub, string[] settings)
        {
            var started = await Task.WhenAll(StartOneAsync(false), StartOneAsync(true));
            (Reference, Subject) = (started[0], started[1]);

            async Task<TestServer> StartOneAsync(bool direct)
            {
                var server = await TestServer.StartAsync(Catalogue, builder => builder.Services.Configure<HubOptions>(o =>
                {
                    // No pings unless a test asks for them: how many arrive during a conversation is timing.
                    o.KeepAliveInterval = TimeSpan.FromMinutes(10);
                    o.ClientTimeoutInterval = TimeSpan.FromMinutes(20);
                    o.HandshakeTimeout = HandshakeTimeout;
                    hub?.Invoke(o);
                }), partitions: 1, [$"--SignalR:DirectWebSockets={direct}", .. settings]);
                foreach (var topic in new[] { History, "eq.cancel.json", "eq.cancel.messagepack" })
                {
                    foreach (var (json, key, ms) in Fixed)
                    {
                        await server.ProduceAsync(topic, 0, json, key, T0.AddMilliseconds(ms));
                    }
                }

                return server;
            }
        }
    }
}
