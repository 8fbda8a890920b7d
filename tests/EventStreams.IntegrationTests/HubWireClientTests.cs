using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using EventStreams.Bench.Load;
using EventStreams.Bench.Sources;
using EventStreams.Server.Catalog;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EventStreams.IntegrationTests;

/// <summary>
/// The benchmark's own hub client (SignalR's JSON protocol on a bare WebSocket, <see cref="HubWireClient"/>) against
/// the real server: it gets what the .NET SignalR client gets and counts it as the benchmark's .NET client did, it
/// notices the server's error completions, and its pings keep its connection past the server's client timeout.
/// </summary>
public sealed class HubWireClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromMilliseconds(200);
    /// <summary>Long enough that a loaded machine's late ping (a CI run, a GC) does not drop the client that pings every <see cref="KeepAlive"/>.</summary>
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(4);

    /// <summary>SignalR's (as the server writes <c>data</c>) and the strictest, which escapes every non-ASCII character.</summary>
    private static readonly JsonSerializerOptions[] Escapings =
        [new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }, new() { Encoder = JavaScriptEncoder.Default }];

    /// <summary>Smaller than one event's record, so that records span reads and the buffer grows.</summary>
    private const int BufferBytes = 512;

    private TestServer _server = null!;

    private int Port => _server.BaseAddress.Port;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(
        """
        streams:
          wire.events:
            topics: [wire.events]
          wire.removed:
            topics: [wire.removed]
          wire.quiet:
            topics: [wire.quiet]
        """,
        builder => builder.Services.Configure<HubOptions>(o =>
        {
            o.KeepAliveInterval = KeepAlive;
            o.ClientTimeoutInterval = ClientTimeout;
        }),
        partitions: 2);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Stream_GetsTheIdsAndEventsTheDotNetClientGets_CountingTheSameBytes()
    {
        var window = new LoadWindow();
        var received = new ConcurrentQueue<(string Id, int Key, long Seq)>();
        var client = new HubWireClient(Group("wire.events"), window, KeepAlive, (id, key, seq) => received.Enqueue((Encoding.UTF8.GetString(id), key, seq)));
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(Port, BufferBytes, Task.CompletedTask, stop.Token);
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(_server.BaseAddress, "v2/hub")).WithKeepAliveInterval(KeepAlive).Build();
        await hub.StartAsync().WaitAsync(Wait);
        using var timeout = new CancellationTokenSource(Wait);
        await using var reference = hub.StreamAsync<StreamEvent>("Stream", "wire.events", null, null, null, timeout.Token).GetAsyncEnumerator();
        Assert.True(await reference.MoveNextAsync()); // the start marker
        await client.HeadersReceived.WaitAsync(Wait);
        window.Start();
        // One partition, two sequence keys: an id holds every partition's position, so both clients' ids are the same
        // only when the order across partitions cannot differ.
        for (var seq = 0; seq < 10; seq++)
        {
            for (var key = 0; key < 2; key++)
            {
                var json = Encoding.UTF8.GetString(BenchEvents.Create("wire.events", key, seq, BenchEvents.NowMicros()));
                await _server.ProduceAsync("wire.events", 0, json);
            }
        }

        var expected = new List<StreamEvent>();
        while (expected.Count < 20 && await reference.MoveNextAsync())
        {
            expected.Add(reference.Current);
        }

        await WaitUntilAsync(() => client.Events >= 20);
        window.Stop();
        await stop.CancelAsync();
        await run.WaitAsync(Wait);

        Assert.Equal(expected.Select(e => e.Id), received.Select(r => r.Id));
        Assert.All(new[] { 0, 1 }, key => Assert.Equal(Enumerable.Range(0, 10).Select(s => (long)s), received.Where(r => r.Key == key).Select(r => r.Seq)));
        Assert.Equal((20, 0, 0), (client.Events, client.Gaps, client.Duplicates));
        Assert.Equal(20, window.Events);
        Assert.Equal(expected.Sum(e => (long)Encoding.UTF8.GetByteCount(e.Data!)), window.Bytes);
        Assert.Equal((true, false, false, null), (client.Connected, client.Failed, client.ClosedByServer, client.Error));
    }

    [Fact]
    public async Task Stream_TheServerEndsWithAnError_TheClientSaysSo()
    {
        var unknown = new HubWireClient(Group("wire.nope"), new LoadWindow(), KeepAlive);
        var removed = new HubWireClient(Group("wire.removed"), new LoadWindow(), KeepAlive);
        using var stop = new CancellationTokenSource(Wait);

        await unknown.RunAsync(Port, BufferBytes, Task.CompletedTask, stop.Token).WaitAsync(Wait);
        var removedRun = removed.RunAsync(Port, BufferBytes, Task.CompletedTask, stop.Token);
        await removed.HeadersReceived.WaitAsync(Wait);
        var path = _server.App.Services.GetRequiredService<IOptions<StreamConfigOptions>>().Value.Uri;
        await File.WriteAllTextAsync(path, "streams:\n  wire.events:\n    topics: [wire.events]\n");
        await _server.App.Services.GetRequiredService<StreamCatalog>().ReloadAsync(CancellationToken.None).WaitAsync(Wait);
        await removedRun.WaitAsync(Wait);

        Assert.Equal((false, true, false), (unknown.Connected, unknown.Failed, unknown.ClosedByServer));
        Assert.Contains("not_found:", unknown.Error, StringComparison.Ordinal);
        Assert.Equal((true, false, true), (removed.Connected, removed.Failed, removed.ClosedByServer));
        Assert.Contains("stream_removed:", removed.Error, StringComparison.Ordinal);
        Assert.False(stop.IsCancellationRequested);
    }

    [Fact]
    public async Task Pings_KeepTheStreamPastTheServersClientTimeout_AClientThatStopsIsDropped()
    {
        var pinging = new HubWireClient(Group("wire.quiet"), new LoadWindow(), KeepAlive);
        using var stop = new CancellationTokenSource();
        var pingingRun = pinging.RunAsync(Port, BufferBytes, Task.CompletedTask, stop.Token);
        await pinging.HeadersReceived.WaitAsync(Wait);

        // The server times a client out only once it has pinged: one that pings once and then falls silent is dropped.
        var droppedAfter = await PingOnceThenListenAsync("wire.quiet");
        var (pingsWhenDropped, pingsSentBefore) = (pinging.PingsReceived, pinging.PingsSent);
        // The server's own pings as the clock: SignalR checks its keep-alive once a second, so a ping a second at most;
        // this many are two more client timeouts.
        var twoTimeouts = (int)(2 * ClientTimeout.TotalSeconds);
        await WaitUntilAsync(() => pinging.PingsReceived >= pingsWhenDropped + twoTimeouts);
        await _server.ProduceAsync("wire.quiet", 1, Encoding.UTF8.GetString(BenchEvents.Create("wire.quiet", 1, 0, BenchEvents.NowMicros())));
        await WaitUntilAsync(() => pinging.Events == 1);
        var pingingStillRunning = !pingingRun.IsCompleted;
        await stop.CancelAsync();
        await pingingRun.WaitAsync(Wait);

        Assert.InRange(droppedAfter, ClientTimeout, Wait);
        Assert.True(pingsSentBefore > 0, "the server's client timeout starts with a client's first ping");
        Assert.True(pingingStillRunning);
        Assert.Equal((1, false, null), (pinging.Events, pinging.ClosedByServer, pinging.Error));
    }

    /// <summary>The byte count of an escaped JSON string, read without unescaping it, is the UTF-8 length of what it holds.</summary>
    [Theory]
    [InlineData("plain ascii")]
    [InlineData("quotes \" and \\ backslashes, \n\t\u0001 controls")]
    [InlineData("Émilie, 東京都, →\u200eHistory, \u2028, 😀 and 𝄞")]
    [InlineData("")]
    public void Utf8Length_OfAnEscapedString_IsItsUtf8Length(string text)
    {
        foreach (var options in Escapings)
        {
            var token = JsonSerializer.SerializeToUtf8Bytes(text, options);

            Assert.Equal(Encoding.UTF8.GetByteCount(text), JsonStringContent.Utf8Length(token.AsSpan(1)));
            Assert.Equal(-1, JsonStringContent.Utf8Length(token.AsSpan(1, token.Length - 2)));
        }
    }

    /// <summary>A bare hub client that sends one ping with its stream's invocation, then only listens: how long the server keeps it.</summary>
    private async Task<TimeSpan> PingOnceThenListenAsync(string stream)
    {
        using var timeout = new CancellationTokenSource(Wait);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Port}/v2/hub"), timeout.Token);
        var started = Stopwatch.GetTimestamp();
        var hello = $"{{\"protocol\":\"json\",\"version\":1}}\u001e{{\"type\":4,\"invocationId\":\"0\",\"target\":\"Stream\",\"arguments\":[\"{stream}\",null,null,null]}}\u001e{{\"type\":6}}\u001e";
        await socket.SendAsync(Encoding.UTF8.GetBytes(hello), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[4096];
        try
        {
            while ((await socket.ReceiveAsync(buffer, timeout.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (WebSocketException)
        {
            // Closed without the closing handshake.
        }

        return Stopwatch.GetElapsedTime(started);
    }

    private static ClientGroup Group(string stream) => new("wire", "/v2/stream/" + stream, 1, ClientKind.Normal, [0, 1]);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Wait.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, "not reached within " + Wait);
            await Task.Delay(10);
        }
    }
}
