using System.Diagnostics;
using EventStreams.Server.Catalog;
using EventStreams.Server.Kafka;
using EventStreams.Server.Problems;
using EventStreams.Server.Streaming;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EventStreams.IntegrationTests;

/// <summary>
/// A transport added with nothing but its own file (<see cref="LineTransport"/>, mapped by the test): refusal during a
/// Kafka outage, termination by the server and the metrics come from <see cref="StreamSession"/>, not from the transport.
/// </summary>
public sealed class NewTransportTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(
        """
        streams:
          test.line.kept:
            topics: [test.line.kept]
          test.line.removed:
            topics: [test.line.removed]
        """,
        builder => builder.Services.AddSingleton<IStartupFilter, LineTransport>(),
        partitions: 1);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task LineTransport_GetsEventsMetricsAndTheServersEnding()
    {
        using var http = _server.CreateClient();
        using var response = await http.GetAsync("lines/test.line.removed", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Wait);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var start = await reader.ReadLineAsync().WaitAsync(Wait);
        await _server.ProduceAsync("test.line.removed", 0, """{"n":1}""");
        var line = await reader.ReadLineAsync().WaitAsync(Wait);
        var path = _server.App.Services.GetRequiredService<IOptions<StreamConfigOptions>>().Value.Uri;
        await File.WriteAllTextAsync(path, "streams:\n  test.line.kept:\n    topics: [test.line.kept]\n");
        await _server.App.Services.GetRequiredService<StreamCatalog>().ReloadAsync(CancellationToken.None).WaitAsync(Wait);
        var ended = await reader.ReadLineAsync().WaitAsync(Wait);
        var metrics = await http.GetStringAsync("metrics").WaitAsync(Wait);

        Assert.StartsWith("start ", start!, StringComparison.Ordinal);
        var data = line!.Split(' ', 2)[1];
        Assert.Contains("\"n\":1", data, StringComparison.Ordinal);
        Assert.Equal("ended stream_removed", ended);
        Assert.Contains("eventstreams_events_sent_total{transport=\"lines\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains($"eventstreams_bytes_sent_total{{transport=\"lines\"}} {data.Length}\n", metrics, StringComparison.Ordinal);
        Assert.Contains("eventstreams_clients_dropped_total{reason=\"stream_removed\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LineTransport_KafkaUnreachable_Refused()
    {
        using var http = _server.CreateClient();
        var health = _server.App.Services.GetRequiredService<KafkaHealth>();

        _server.Cluster.SetBrokerDown(1);
        var deadline = Stopwatch.StartNew();
        while (health.IsReachable)
        {
            Assert.True(deadline.Elapsed < Wait, "Kafka still reachable");
            await Task.Delay(100);
        }

        var refused = await http.GetStringAsync("lines/test.line.kept").WaitAsync(Wait);
        _server.Cluster.SetBrokerUp(1);

        Assert.StartsWith("refused 503 kafka_unavailable", refused, StringComparison.Ordinal);
    }

    /// <summary>The whole transport: one line per event (<c>id json</c>), its refusals and endings as lines.</summary>
    private sealed class LineTransport : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map("/lines", lines => lines.Run(RunAsync));
            next(app);
        };

        private static async Task RunAsync(HttpContext context)
        {
            var sessions = context.RequestServices.GetRequiredService<StreamSessions>();
            StreamSession session;
            try
            {
                session = await sessions.OpenAsync("lines", context.Request.Path.Value!.Trim('/'), null, null, default, _ => ValueTask.FromResult<IDisposable?>(null), context.RequestAborted);
            }
            catch (Exception e) when (ApiProblemException.From(e) is { } problem)
            {
                await context.Response.WriteAsync($"refused {problem.Status} {problem.Type}\n");
                return;
            }

            using (session)
            {
                var id = new System.Buffers.ArrayBufferWriter<byte>();
                session.WriteId(id);
                await context.Response.WriteAsync($"start {System.Text.Encoding.UTF8.GetString(id.WrittenSpan)}\n");
                try
                {
                    while (true)
                    {
                        await session.ReadAsync(Timeout.InfiniteTimeSpan);
                        while (session.TryNext(out var e))
                        {
                            id.ResetWrittenCount();
                            session.WriteId(id);
                            await context.Response.WriteAsync($"{System.Text.Encoding.UTF8.GetString(id.WrittenSpan)} {System.Text.Encoding.UTF8.GetString(e.Json)}\n");
                        }

                        session.Sent();
                    }
                }
                catch (OperationCanceledException) when (session.EndedBy is { } ending)
                {
                    await context.Response.WriteAsync($"ended {ending.Name}\n");
                }
            }
        }
    }
}
