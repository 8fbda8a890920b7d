using System.Diagnostics;
using System.Net;
using System.Text.Json;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace EventStreams.IntegrationTests;

/// <summary>A broker outage driven with the mock cluster's broker down/up calls, as a client and an operator see it.</summary>
public sealed class KafkaOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(
        """
        streams:
          test.outage:
            topics: [test.outage]
        """,
        partitions: 1,
        "--Kafka:Health:OutageNoticeSeconds=3",
        "--Kafka:Health:OutageNotice=Close");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task HealthRoutes_KafkaUp_LiveAndReady()
    {
        using var http = _server.CreateClient();

        using var live = await http.GetAsync("healthz").WaitAsync(Wait);
        var ready = await WaitForReadinessAsync(http, HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal(["catalog", "kafka", "reader", "shutdown"], ready.GetProperty("checks").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BrokerDown_NoticedWithinSeconds_NewStreamsRefusedPromptly_BackWhenUp()
    {
        using var http = _server.CreateClient();
        await WaitForReadinessAsync(http, HttpStatusCode.OK);
        var down = Stopwatch.StartNew();

        _server.Cluster.SetBrokerDown(1);
        var notReady = await WaitForReadinessAsync(http, HttpStatusCode.ServiceUnavailable);
        var noticedAfter = down.Elapsed;
        var asked = Stopwatch.StartNew();
        using var refused = await http.GetAsync("v2/stream/test.outage", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Wait);
        var refusedAfter = asked.Elapsed;
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        using var live = await http.GetAsync("healthz").WaitAsync(Wait);
        var metrics = await http.GetStringAsync("metrics").WaitAsync(Wait);
        _server.Cluster.SetBrokerUp(1);
        var upAt = down.Elapsed;
        await WaitForReadinessAsync(http, HttpStatusCode.OK);
        var recoveredAfter = down.Elapsed - upAt;
        await using var after = await SseClient.ConnectAsync(http, "v2/stream/test.outage");
        output.WriteLine($"outage noticed after {noticedAfter.TotalSeconds:0.0} s; new stream refused in {refusedAfter.TotalMilliseconds:0} ms; ready again {recoveredAfter.TotalSeconds:0.0} s after the broker came back");

        Assert.True(noticedAfter < TimeSpan.FromSeconds(10), $"noticed after {noticedAfter}");
        Assert.Equal("Unhealthy", notReady.GetProperty("checks").GetProperty("kafka").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refusedAfter < TimeSpan.FromSeconds(1), $"refused after {refusedAfter}");
        Assert.Equal("kafka_unavailable", problem.GetProperty("type").GetString());
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Contains("eventstreams_kafka_reachable 0", metrics, StringComparison.Ordinal);
        Assert.Contains("eventstreams_kafka_outages_total 1", metrics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, after.Response.StatusCode);
    }

    [Fact]
    public async Task BrokerDown_LongerThanTheNoticeTime_ConnectedClientsGetAnErrorAndAClose()
    {
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/test.outage");
        await sse.ReadAsync(Wait);
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(_server.BaseAddress, "v2/hub")).Build();
        await hub.StartAsync().WaitAsync(Wait);
        await using var hubStream = hub.StreamAsync<StreamEvent>("Stream", "test.outage", null, null, null).GetAsyncEnumerator();
        Assert.True(await hubStream.MoveNextAsync().AsTask().WaitAsync(Wait));
        var down = Stopwatch.StartNew();

        _server.Cluster.SetBrokerDown(1);
        var error = await sse.ReadAsync(Wait);
        while (error is { Event: null })
        {
            error = await sse.ReadAsync(Wait);
        }

        var toldAfter = down.Elapsed;
        var closed = await sse.ReadAsync(Wait);
        var hubError = await Assert.ThrowsAsync<HubException>(async () =>
        {
            while (await hubStream.MoveNextAsync().AsTask().WaitAsync(Wait))
            {
            }
        });
        _server.Cluster.SetBrokerUp(1);
        output.WriteLine($"connected clients told after {toldAfter.TotalSeconds:0.0} s of outage (notice time 3 s)");

        Assert.Equal("error", error?.Event);
        Assert.Equal("kafka_unavailable", error!.Json.GetProperty("name").GetString());
        Assert.Null(closed);
        Assert.InRange(toldAfter, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(15));
        Assert.Contains("HubException: kafka_unavailable:", hubError.Message, StringComparison.Ordinal);
    }

    /// <summary>Polls <c>/readyz</c> until it answers <paramref name="status"/> (a condition with a deadline, not a sleep).</summary>
    private static async Task<JsonElement> WaitForReadinessAsync(HttpClient http, HttpStatusCode status)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.GetAsync("readyz").WaitAsync(Wait);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            if (response.StatusCode == status)
            {
                return body;
            }

            Assert.True(deadline.Elapsed < Wait, $"/readyz still {(int)response.StatusCode} after {Wait}: {body}");
            await Task.Delay(100);
        }
    }
}
