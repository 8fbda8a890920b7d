using System.Net;
using System.Text.Json;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace EventStreams.IntegrationTests;

/// <summary>
/// A stopping instance (SIGTERM, a rolling restart) hands its clients to the others: unready at once, running and new SSE
/// streams told to come back soon (<c>retry:</c>, clean close), hub streams told to reconnect, and still answering for
/// <c>Shutdown:DrainSeconds</c> so that a load balancer's late requests are sent elsewhere rather than refused.
/// </summary>
public sealed class DrainTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Stop_WithRunningStreams_UnreadyStreamsToldToComeBackAndStillAnsweringDuringTheDrain()
    {
        await using var server = await TestServer.StartAsync(
            """
            streams:
              test.drain:
                topics: [test.drain]
            """,
            partitions: 1,
            "--Shutdown:DrainSeconds=4",
            "--Shutdown:RetryMilliseconds=500");
        using var http = server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/test.drain");
        Assert.Equal("ok", (await sse.ReadAsync(Wait))?.Comment);
        await using var ndjson = await SseClient.ConnectAsync(http, "v2/stream/test.drain", accept: "application/json");
        await server.ProduceAsync("test.drain", 0, """{"n":1}""");
        await sse.NextEventAsync(Wait);
        Assert.NotNull(await ndjson.ReadLineAsync(Wait));
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "v2/hub")).Build();
        await hub.StartAsync().WaitAsync(Wait);
        await using var hubStream = hub.StreamAsync<StreamEvent>("Stream", "test.drain", null, null, null).GetAsyncEnumerator();
        Assert.True(await hubStream.MoveNextAsync().AsTask().WaitAsync(Wait));

        var stopping = server.App.StopAsync();
        var told = await sse.ReadAsync(Wait);
        var end = await sse.ReadAsync(Wait);
        var ndjsonEnd = await ndjson.ReadLineAsync(Wait);
        var hubEnd = await Record.ExceptionAsync(async () =>
        {
            while (await hubStream.MoveNextAsync().AsTask().WaitAsync(Wait))
            {
            }
        });
        using var ready = await http.GetAsync("readyz").WaitAsync(Wait);
        var readiness = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        using var live = await http.GetAsync("healthz").WaitAsync(Wait);
        await using var late = await SseClient.ConnectAsync(http, "v2/stream/test.drain");
        var lateBlocks = new[] { await late.ReadAsync(Wait), await late.ReadAsync(Wait), await late.ReadAsync(Wait) };
        await using var lateHub = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "v2/hub")).Build();
        await lateHub.StartAsync().WaitAsync(Wait);
        var lateHubRefusal = await Record.ExceptionAsync(async () =>
        {
            await foreach (var e in lateHub.StreamAsync<StreamEvent>("Stream", "test.drain", null, null, null).WithCancellation(new CancellationTokenSource(Wait).Token))
            {
            }
        });
        var stoppedWhileDraining = stopping.IsCompleted;
        await stopping.WaitAsync(Wait);

        Assert.InRange(int.Parse(told!.Retry!, System.Globalization.CultureInfo.InvariantCulture), 0, 500);
        Assert.Null(told.Event);
        Assert.Null(end);
        Assert.Null(ndjsonEnd);
        Assert.Contains("HubException: shutdown:", Assert.IsType<HubException>(hubEnd).Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", readiness.GetProperty("checks").GetProperty("shutdown").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, late.Response.StatusCode);
        Assert.Equal("ok", lateBlocks[0]?.Comment);
        Assert.NotNull(lateBlocks[1]?.Retry);
        Assert.Null(lateBlocks[2]);
        Assert.Contains("HubException: shutdown:", Assert.IsType<HubException>(lateHubRefusal).Message, StringComparison.Ordinal);
        Assert.False(stoppedWhileDraining);
    }
}
