using System.Net.Sockets;
using System.Text;
using EventStreams.Server.Streaming;
using Microsoft.Extensions.DependencyInjection;

namespace EventStreams.IntegrationTests;

/// <summary>
/// Issue 14 item 3: after a restart, clients resuming from ids spread over the recent past, arriving in any order, share
/// the one read of each partition: none needs a catch-up reader of its own (so none is refused while readers are busy),
/// and each gets exactly the events after its id.
/// </summary>
public sealed class ReconnectStormTests
{
    private const int PerPartition = 200;
    private const int Spread = 10;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ClientsResumingAtSpreadPositions_NewestFirst_ShareOneRead_NoneRefused_EachFromItsId()
    {
        await using var server = await TestServer.StartAsync(
            """
            streams:
              storm.s:
                topics: [storm.s]
            """,
            partitions: 2,
            "--Streaming:MaxCatchUpReaders=1",
            "--Streaming:CatchUpQueueSeconds=1",
            "--Streaming:IdFormat=Offset");
        await Task.WhenAll(Enumerable.Range(0, 2 * PerPartition).Select(i => server.ProduceAsync("storm.s", i % 2, $$"""{"i":{{i}}}""")));
        var permits = server.App.Services.GetRequiredService<CatchUpPermits>();

        // The newest first: its partitions' reader used to start where it resumed, and every older client then needed a
        // catch-up reader (one here, held by a client that reads nothing), so the others were refused.
        var sockets = new List<Socket>();
        var statuses = new List<string>();
        try
        {
            foreach (var offset in new[] { PerPartition - 10 }.Concat(Enumerable.Range(0, Spread).Select(k => k * 15)))
            {
                var (socket, status) = await OpenIdleAsync(server, offset).WaitAsync(Wait);
                sockets.Add(socket);
                statuses.Add(status);
            }

            var inUse = permits.InUse;
            using var http = server.CreateClient();
            await using var reader = await SseClient.ConnectAsync(http, "v2/stream/storm.s", Id(5));
            var seen = new List<(int Partition, long Offset)>();
            while (seen.Count < 2 * (PerPartition - 5))
            {
                var meta = (await reader.NextEventAsync(Wait)).Json.GetProperty("meta");
                seen.Add((meta.GetProperty("partition").GetInt32(), meta.GetProperty("offset").GetInt64()));
            }

            Assert.All(statuses, status => Assert.StartsWith("HTTP/1.1 200", status, StringComparison.Ordinal));
            Assert.Equal(0, inUse);
            var expected = Enumerable.Range(0, 2).SelectMany(p => Enumerable.Range(5, PerPartition - 5).Select(o => (p, (long)o)));
            Assert.Equal(expected.Order(), seen.Order());
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    private static string Id(int offset) =>
        $$"""[{"topic":"storm.s","partition":0,"offset":{{offset}}},{"topic":"storm.s","partition":1,"offset":{{offset}}}]""";

    /// <summary>A client resuming at <paramref name="offset"/> on both partitions that reads its status line and nothing more.</summary>
    private static async Task<(Socket Socket, string Status)> OpenIdleAsync(TestServer server, int offset)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /v2/stream/storm.s HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\nLast-Event-ID: {Id(offset)}\r\n\r\n"));
        var buffer = new byte[256];
        using var timeout = new CancellationTokenSource(Wait);
        var read = await socket.ReceiveAsync(buffer, timeout.Token);
        var text = Encoding.ASCII.GetString(buffer, 0, read);
        return (socket, text[..Math.Max(0, text.IndexOf('\r', StringComparison.Ordinal))]);
    }
}
