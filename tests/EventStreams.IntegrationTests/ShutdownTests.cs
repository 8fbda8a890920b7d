using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace EventStreams.IntegrationTests;

/// <summary>Stopping the server (what SIGTERM does) ends every stream, stalled ones included, within a bounded time.</summary>
public sealed class ShutdownTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const int LiveClients = 200;
    private const int StalledClients = 10;

    [Fact]
    public async Task Stop_With200LiveAnd10StalledClients_EndsEveryStreamWithin5Seconds()
    {
        // The stall timer is far longer than the bound: shutdown must not wait for it.
        var server = await TestServer.StartAsync("""
            streams:
              shutdown.big:
                topics: [shutdown.big]
              shutdown.live:
                topics: [shutdown.live]
            """, partitions: 4, "--Streaming:CacheMegabytesPerPartition=64", "--Streaming:StalledClientSeconds=60", "--Streaming:HeartbeatSeconds=1");
        try
        {
            var stalled = await Task.WhenAll(Enumerable.Range(0, StalledClients).Select(_ => ConnectStalledAsync(server)));
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = server.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            var live = await Task.WhenAll(Enumerable.Range(0, LiveClients).Select(_ => SseClient.ConnectAsync(http, "v2/stream/shutdown.live")));
            await Task.WhenAll(live.Select(c => c.ReadAsync(Wait)));
            var liveEnded = live.Select(ReadUntilEndAsync).ToArray();
            await using var hub = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "v2/hub")).Build();
            await hub.StartAsync().WaitAsync(Wait);
            var hubStream = hub.StreamAsync<StreamEvent>("Stream", "shutdown.live", null, null, null).GetAsyncEnumerator();
            Assert.True(await hubStream.MoveNextAsync().AsTask().WaitAsync(Wait));
            await FillStalledClientsAsync(server, http);

            var clock = Stopwatch.StartNew();
            await server.App.StopAsync().WaitAsync(Wait);
            var stopped = clock.Elapsed;
            var allEnded = await Task.WhenAll(liveEnded).WaitAsync(Wait);
            var hubEnd = await Record.ExceptionAsync(async () =>
            {
                while (await hubStream.MoveNextAsync().AsTask().WaitAsync(Wait))
                {
                }
            });
            output.WriteLine($"stopped with {LiveClients} live, {StalledClients} stalled SSE clients and a hub stream in {stopped.TotalSeconds:0.00} s");

            Assert.True(stopped < TimeSpan.FromSeconds(5), $"stopping took {stopped}");
            Assert.All(allEnded, Assert.True);
            // The hub stream ends too: with the server's HubException ("shutdown: ...") when its completion message is
            // out before SignalR closes its connections on ApplicationStopping, else by that close (a reset, which a
            // SignalR client treats as a closed connection and reconnects after, like an SSE client after a reset).
            Assert.True(hubEnd is null or HubException or OperationCanceledException or System.Net.WebSockets.WebSocketException, $"hub stream ended with {hubEnd}");
            foreach (var client in stalled)
            {
                client.Dispose();
            }

            foreach (var client in live)
            {
                await client.DisposeAsync();
            }
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static async Task<bool> ReadUntilEndAsync(SseClient client)
    {
        try
        {
            while (await client.ReadAsync(TimeSpan.FromSeconds(60)) is not null)
            {
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // A reset is an end too.
        }

        return true;
    }

    private static async Task<TcpClient> ConnectStalledAsync(TestServer server)
    {
        var client = new TcpClient { ReceiveBufferSize = 4096 };
        await client.ConnectAsync("127.0.0.1", server.BaseAddress.Port).WaitAsync(Wait);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /v2/stream/shutdown.big HTTP/1.1\r\nHost: test\r\n\r\n")).AsTask().WaitAsync(Wait);
        var head = new byte[64];
        Assert.True(await stream.ReadAsync(head).AsTask().WaitAsync(Wait) > 0);
        return client;
    }

    /// <summary>18 MB into the stream the stalled clients asked for, read in full by one healthy client: the stalled ones are then stuck in a write.</summary>
    private static async Task FillStalledClientsAsync(TestServer server, HttpClient http)
    {
        await using var healthy = await SseClient.ConnectAsync(http, "v2/stream/shutdown.big");
        await healthy.ReadAsync(Wait);
        var padding = new string('x', 10 * 1024);
        var producing = Task.WhenAll(Enumerable.Range(0, 1800).Select(i => server.ProduceAsync("shutdown.big", i % 4, $$"""{"i":{{i}},"pad":"{{padding}}"}""")));
        for (var n = 0; n < 1800; n++)
        {
            await healthy.NextEventAsync(Wait);
        }

        await producing.WaitAsync(Wait);
    }
}
