using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventStreams.IntegrationTests.Kubernetes;
using EventStreams.Server.Health;
using EventStreams.Server.Kafka;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Abstractions;

namespace EventStreams.IntegrationTests;

/// <summary>
/// The drain as Kubernetes triggers it: a real SIGTERM to the built server running as its own process (not a host stopped
/// from inside a test), with SSE and hub clients on it and a second instance beside it on the same broker.
/// </summary>
public sealed class SigtermTests(ITestOutputHelper output)
{
    private const string Stream = "test.sigterm";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Sigterm_WithSseAndHubClients_UnreadyToldToReconnectExitsWithinTheGracePeriod_ClientsResumeElsewhereWithNothingLost()
    {
        // The production overlay's pod: SIGTERM comes after preStop, and the kubelet kills the process at the grace period's end.
        var pod = await RenderedOverlay.RenderAsync("production");
        var grace = TimeSpan.FromSeconds((int)pod.PodSpec["terminationGracePeriodSeconds"]!);
        var preStop = TimeSpan.FromSeconds((int?)pod.Container["lifecycle"]?["preStop"]?["sleep"]?["seconds"] ?? 0);
        using var cluster = new MockCluster();
        cluster.CreateTopic(Stream, 1);
        var config = Path.Combine(Path.GetTempPath(), $"eventstreams-sigterm-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(config, $"streams:\n  {Stream}:\n    topics: [{Stream}]\n");
        // Shutdown:* as the pod has them (the defaults unless its environment sets them).
        string[] settings =
        [
            $"--Kafka:BootstrapServers={cluster.BootstrapServers}", "--Kafka:Consumer:fetch.wait.max.ms=10", $"--StreamConfig:Uri={config}",
            "--Demo:Enabled=false",
            .. pod.Env.Where(e => ((string)e["name"]!).StartsWith("Shutdown__", StringComparison.Ordinal)).Select(e => $"--{((string)e["name"]!).Replace("__", ":", StringComparison.Ordinal)}={e["value"]}"),
        ];
        var retryLimit = int.Parse(pod.Env.FirstOrDefault(e => (string)e["name"]! == "Shutdown__RetryMilliseconds")?["value"]?.ToString() ?? ShutdownOptions.DefaultRetryMilliseconds.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            await using var stopping = await ServerProcess.StartAsync(settings, StartWait);
            await using var other = await ServerProcess.StartAsync(settings, StartWait);
            await WaitReadyAsync(http, stopping);
            await WaitReadyAsync(http, other);
            await ProduceAsync(producer, 0, 3);
            await using var sse = await SseClient.ConnectAsync(http, Url(stopping, $"v2/stream/{Stream}?since=0"));
            var sseEvents = await ReadEventsAsync(sse, 3);
            var hubReconnecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // Automatic reconnection whose first attempt is far off: the test sees that the server told the client to reconnect
            // (a close message that allows it) without the client coming back to the stopping instance.
            await using var hub = HubClient(stopping, builder => builder.WithAutomaticReconnect([TimeSpan.FromHours(1)]));
            hub.Reconnecting += _ =>
            {
                hubReconnecting.TrySetResult();
                return Task.CompletedTask;
            };
            await hub.StartAsync().WaitAsync(Wait);
            var hubEvents = new List<StreamEvent>();
            await using var hubStream = hub.StreamAsync<StreamEvent>("Stream", Stream, "0", null, null).GetAsyncEnumerator();
            await ReadHubAsync(hubStream, hubEvents, 3);

            var clock = Stopwatch.StartNew();
            await stopping.TerminateAsync();
            var told = await sse.ReadAsync(Wait);
            using var readyWhenTold = await http.GetAsync(Url(stopping, "readyz")).WaitAsync(Wait);
            var readiness = JsonDocument.Parse(await readyWhenTold.Content.ReadAsStringAsync()).RootElement;
            using var live = await http.GetAsync(Url(stopping, "healthz")).WaitAsync(Wait);
            var sseEnd = await sse.ReadAsync(Wait);
            await using var late = await SseClient.ConnectAsync(http, Url(stopping, $"v2/stream/{Stream}"), sseEvents[^1].Id);
            var lateBlocks = new[] { await late.ReadAsync(Wait), await late.ReadAsync(Wait), await late.ReadAsync(Wait) };
            var hubEnd = await Record.ExceptionAsync(() => ReadHubAsync(hubStream, hubEvents, int.MaxValue));
            await hubReconnecting.Task.WaitAsync(Wait);
            await ProduceAsync(producer, 3, 3);
            var exitedWhileDraining = stopping.HasExited;
            await stopping.WaitForExitAsync(grace - preStop);
            var exitedAfter = clock.Elapsed;
            await ProduceAsync(producer, 6, 2);

            await using var resumed = await SseClient.ConnectAsync(http, Url(other, $"v2/stream/{Stream}?since=0"), sseEvents[^1].Id);
            sseEvents.AddRange(await ReadEventsAsync(resumed, 5));
            await using var hubElsewhere = HubClient(other, builder => builder);
            await hubElsewhere.StartAsync().WaitAsync(Wait);
            await using var hubResumed = hubElsewhere.StreamAsync<StreamEvent>("Stream", Stream, null, hubEvents[^1].Id, null).GetAsyncEnumerator();
            await ReadHubAsync(hubResumed, hubEvents, 8);

            output.WriteLine($"SIGTERM: SSE told retry: {told?.Retry} ms; process exited after {exitedAfter.TotalSeconds:0.0} s (grace after preStop: {(grace - preStop).TotalSeconds} s); hub: {hubEnd?.GetType().Name}: {hubEnd?.Message}");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, readyWhenTold.StatusCode);
            Assert.Equal("Unhealthy", readiness.GetProperty("checks").GetProperty("shutdown").GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Null(told!.Event);
            Assert.Null(told.Data);
            Assert.InRange(int.Parse(told.Retry!, CultureInfo.InvariantCulture), 0, retryLimit);
            Assert.Null(sseEnd);
            Assert.Equal(HttpStatusCode.OK, late.Response.StatusCode);
            Assert.Equal("ok", lateBlocks[0]?.Comment);
            Assert.InRange(int.Parse(lateBlocks[1]!.Retry!, CultureInfo.InvariantCulture), 0, retryLimit);
            Assert.Null(lateBlocks[2]);
            Assert.NotNull(hubEnd);
            Assert.False(exitedWhileDraining);
            Assert.Equal(0, stopping.ExitCode);
            Assert.True(exitedAfter < grace - preStop, $"exit {exitedAfter.TotalSeconds:0.0} s after SIGTERM; the pod's grace period leaves {(grace - preStop).TotalSeconds} s after preStop");
            Assert.Contains("Stopping: unready", stopping.Output, StringComparison.Ordinal);
            Assert.Equal(Enumerable.Range(0, 8), sseEvents.Select(e => e.Json.GetProperty("n").GetInt32()));
            Assert.Equal(Enumerable.Range(0, 8), hubEvents.Select(e => JsonDocument.Parse(e.Data!).RootElement.GetProperty("n").GetInt32()));
        }
        finally
        {
            File.Delete(config);
        }
    }

    private static string Url(ServerProcess server, string path) => new Uri(server.BaseAddress, path).ToString();

    private static HubConnection HubClient(ServerProcess server, Func<IHubConnectionBuilder, IHubConnectionBuilder> configure) =>
        configure(new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "v2/hub"), options =>
        {
            options.SkipNegotiation = true;
            options.Transports = HttpTransportType.WebSockets;
        })).Build();

    private static async Task ProduceAsync(IProducer<Null, string> producer, int from, int count)
    {
        for (var n = from; n < from + count; n++)
        {
            await producer.ProduceAsync(new TopicPartition(Stream, 0), new Message<Null, string> { Value = $$"""{"n":{{n}}}""" }).WaitAsync(Wait);
        }
    }

    private static async Task<List<SseEvent>> ReadEventsAsync(SseClient sse, int count)
    {
        var events = new List<SseEvent>();
        while (events.Count < count)
        {
            var next = await sse.ReadAsync(Wait) ?? throw new InvalidOperationException($"The stream ended after {events.Count} of {count} events.");
            if (next.Data is not null)
            {
                events.Add(next);
            }
        }

        return events;
    }

    /// <summary>Reads the hub stream until <paramref name="events"/> holds <paramref name="count"/> events (the start marker is skipped).</summary>
    private static async Task ReadHubAsync(IAsyncEnumerator<StreamEvent> stream, List<StreamEvent> events, int count)
    {
        while (events.Count < count && await stream.MoveNextAsync().AsTask().WaitAsync(Wait))
        {
            if (stream.Current.Data is not null)
            {
                events.Add(stream.Current);
            }
        }
    }

    private static async Task WaitReadyAsync(HttpClient http, ServerProcess server)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.GetAsync(Url(server, "readyz")).WaitAsync(Wait);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(deadline.Elapsed < StartWait, $"/readyz answered {response.StatusCode} for {StartWait}:\n{server.Output}");
            await Task.Delay(100);
        }
    }
}
