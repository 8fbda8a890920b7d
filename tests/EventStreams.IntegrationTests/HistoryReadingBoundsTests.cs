using System.Net.Sockets;
using System.Text;
using EventStreams.Server.Streaming;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace EventStreams.IntegrationTests;

/// <summary>
/// Clients reading history cost at most <c>Streaming:MaxCatchUpReaders</c> catch-up readers, however many ask and
/// whether or not they read: the rest wait their turn for <c>Streaming:CatchUpQueueSeconds</c>, then get a clear
/// <c>503 history_busy</c> with <c>Retry-After</c>. A live client is not disturbed, and everything is given back.
/// </summary>
public sealed class HistoryReadingBoundsTests(ITestOutputHelper output)
{
    private const int Readers = 2;
    private const int Hogs = 12;
    private const int Backlog = 3000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ManySinceZeroClientsThatNeverRead_HoldAtMostTheConfiguredReaders_OthersGet503_LiveClientUndisturbed()
    {
        await using var server = await TestServer.StartAsync(
            """
            streams:
              hist.s:
                topics: [hist.s]
            """,
            partitions: 2,
            $"--Streaming:MaxCatchUpReaders={Readers}",
            "--Streaming:CatchUpQueueSeconds=1",
            "--Streaming:CacheMegabytesPerPartition=1");
        // 3 KB events: with 1 MiB caches, a since=0 client is ~3.5 MB behind them, more than the socket buffers take in
        // (so a client that reads nothing keeps its catch-up reader).
        var payload = new string('x', 3000);
        await Task.WhenAll(Enumerable.Range(0, Backlog).Select(i => server.ProduceAsync("hist.s", i % 2, $$"""{"i":{{i}},"pad":"{{payload}}"}""")));
        var permits = server.App.Services.GetRequiredService<CatchUpPermits>();
        using var http = server.CreateClient();
        await using var live = await SseClient.ConnectAsync(http, "v2/stream/hist.s");
        Assert.Equal("ok", (await live.ReadAsync(Wait))!.Comment);
        // The shared reader starts up to 10,000 messages back: once the live client has a marker from each partition, the
        // caches have read (and, at 1 MiB, dropped) the oldest events, so a since=0 client needs a catch-up reader.
        await Task.WhenAll(server.ProduceAsync("hist.s", 0, """{"marker":0}"""), server.ProduceAsync("hist.s", 1, """{"marker":1}"""));
        await live.NextEventAsync(Wait);
        await live.NextEventAsync(Wait);

        // Every hog asks for all of history, reads its status line and then nothing more.
        var hogs = new List<Socket>();
        var statuses = new List<string>();
        try
        {
            var opening = Enumerable.Range(0, Hogs).Select(_ => OpenHogAsync(server)).ToList();
            foreach (var hog in opening)
            {
                var (socket, status) = await hog.WaitAsync(Wait);
                hogs.Add(socket);
                statuses.Add(status);
            }

            var peak = permits.InUse;
            await server.ProduceAsync("hist.s", 0, """{"live":1}""");
            var liveEvent = (await live.NextEventAsync(Wait)).Json;

            output.WriteLine($"statuses: {string.Join(" | ", statuses.GroupBy(s => s).Select(g => $"{g.Count()} × {g.Key}"))}; permits in use {peak}");
            Assert.Equal(Readers, statuses.Count(s => s.StartsWith("HTTP/1.1 200", StringComparison.Ordinal)));
            Assert.Equal(Hogs - Readers, statuses.Count(s => s.StartsWith("HTTP/1.1 503", StringComparison.Ordinal) && s.Contains("Retry-After: 1", StringComparison.OrdinalIgnoreCase) && s.Contains("history_busy", StringComparison.Ordinal)));
            Assert.Equal(Readers, peak);
            Assert.Equal(1, liveEvent.GetProperty("live").GetInt32());
        }
        finally
        {
            hogs.ForEach(s => s.Dispose());
        }

        // Gone: every permit comes back, and the next reader of history gets all of it.
        await using var after = await SseClient.ConnectAsync(http, "v2/stream/hist.s?since=0");
        var read = 0;
        while (read < Backlog)
        {
            var e = (await after.NextEventAsync(Wait)).Json;
            read += e.TryGetProperty("i", out _) ? 1 : 0;
        }

        Assert.Equal(Backlog, read);
        Assert.True(permits.InUse <= 1, $"{permits.InUse} permits still in use with one history reader left");
    }

    [Fact]
    public async Task ResumingBehindAPartitionNobodyReadsYet_StartsItsSharedReaderThere_NoCatchUpReaderNeeded()
    {
        // As after a restart: nobody reads the partition, then clients resume a few thousand messages back.
        await using var server = await TestServer.StartAsync(
            """
            streams:
              hist.resume:
                topics: [hist.resume]
            """,
            partitions: 1,
            "--Streaming:IdFormat=Offset");
        await Task.WhenAll(Enumerable.Range(0, Backlog).Select(i => server.ProduceAsync("hist.resume", 0, $$"""{"i":{{i}}}""")));
        var permits = server.App.Services.GetRequiredService<CatchUpPermits>();
        using var http = server.CreateClient();

        var firsts = new List<int>();
        foreach (var offset in new[] { 100, 150, 2500 })
        {
            await using var sse = await SseClient.ConnectAsync(http, "v2/stream/hist.resume", $$"""[{"topic":"hist.resume","partition":0,"offset":{{offset}}}]""");
            firsts.Add((await sse.NextEventAsync(Wait)).Json.GetProperty("i").GetInt32());
        }

        Assert.Equal([100, 150, 2500], firsts);
        Assert.Equal(0, permits.Granted);
    }

    private static async Task<(Socket Socket, string Status)> OpenHogAsync(TestServer server)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /v2/stream/hist.s?since=0 HTTP/1.1\r\nHost: {server.BaseAddress.Authority}\r\n\r\n"));
        // The status line and headers, and for a refusal its whole (small) body; then this client reads no more.
        var text = new StringBuilder();
        var buffer = new byte[1024];
        while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal)
            || (text.ToString().StartsWith("HTTP/1.1 503", StringComparison.Ordinal) && !text.ToString().Contains('}', StringComparison.Ordinal)))
        {
            using var timeout = new CancellationTokenSource(Wait);
            var read = await socket.ReceiveAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return (socket, text.ToString());
    }
}
