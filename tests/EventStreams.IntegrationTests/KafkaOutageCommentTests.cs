using System.Diagnostics;
using Xunit.Abstractions;

namespace EventStreams.IntegrationTests;

/// <summary>The default outage notice: heartbeats say Kafka is unreachable, the stream stays open and goes on when Kafka is back.</summary>
public sealed class KafkaOutageCommentTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(
        """
        streams:
          test.outage.comment:
            topics: [test.outage.comment]
        """,
        partitions: 1,
        "--Kafka:Health:OutageNoticeSeconds=2",
        "--Streaming:HeartbeatSeconds=1");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task BrokerDown_PastTheNoticeTime_HeartbeatsSaySo_StreamGoesOnAfterwards()
    {
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/test.outage.comment");
        await sse.ReadAsync(Wait);
        var down = Stopwatch.StartNew();

        _server.Cluster.SetBrokerDown(1);
        var comment = await sse.ReadAsync(Wait);
        while (comment is { Comment: not null } && !comment.Comment.Contains("kafka unreachable", StringComparison.Ordinal))
        {
            comment = await sse.ReadAsync(Wait);
        }

        var toldAfter = down.Elapsed;
        _server.Cluster.SetBrokerUp(1);
        await _server.ProduceAsync("test.outage.comment", 0, """{"after":"outage"}""");
        var next = await sse.NextEventAsync(Wait);
        output.WriteLine($"heartbeat comment after {toldAfter.TotalSeconds:0.0} s of outage: '{comment?.Comment}'");

        Assert.StartsWith(" kafka unreachable for ", comment?.Comment, StringComparison.Ordinal);
        Assert.Equal("outage", next.Json.GetProperty("after").GetString());
    }
}
