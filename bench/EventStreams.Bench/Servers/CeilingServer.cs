using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using EventStreams.Bench.Sources;
using Microsoft.AspNetCore.Http.Features;

namespace EventStreams.Bench.Servers;

/// <summary>
/// The ceiling: a minimal Kestrel endpoint that writes the same pre-encoded SSE frames from memory at the same
/// rate, with no Kafka at all. Each frame is built once (id and data) and written to every client.
/// </summary>
internal static class CeilingServer
{
    private const int MaxFramesPerWrite = 512;

    public static async Task<int> RunAsync(string[] args)
    {
        var logs = new ConcurrentDictionary<string, FrameLog>(StringComparer.Ordinal);
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/v2/stream/{streams}", (HttpContext context, string streams) => StreamAsync(context, streams, logs));
        await app.StartAsync();
        var source = new RateSource(new LogSink(logs));
        await Task.Run(source.RunControlLoop);
        await app.StopAsync();
        return 0;
    }

    private static async Task StreamAsync(HttpContext context, string streams, ConcurrentDictionary<string, FrameLog> logs)
    {
        var selected = new List<FrameLog>();
        foreach (var name in streams.Split(','))
        {
            if (!logs.TryGetValue(name, out var log))
            {
                context.Response.StatusCode = 400;
                return;
            }

            selected.Add(log);
        }

        // Resuming clients replay what the log holds (the catch-up scenario fills it first); others start at the end.
        var resume = context.Request.Headers.ContainsKey("Last-Event-ID");
        var next = selected.Select(l => resume ? l.Oldest : l.Count).ToArray();
        var signals = new Task[selected.Count];
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var output = response.BodyWriter;
        var aborted = context.RequestAborted;
        output.Write(":ok\n\n"u8);
        try
        {
            await output.FlushAsync(aborted);
            while (!aborted.IsCancellationRequested)
            {
                var wrote = 0;
                for (var i = 0; i < selected.Count; i++)
                {
                    var log = selected[i];
                    signals[i] = log.Changed;
                    if (next[i] < log.Oldest)
                    {
                        // Fell out of the ring: the ceiling has no catch-up path.
                        context.Abort();
                        return;
                    }

                    for (var end = Math.Min(log.Count, next[i] + MaxFramesPerWrite); next[i] < end; next[i]++, wrote++)
                    {
                        output.Write(log.At(next[i]));
                    }
                }

                if (wrote > 0)
                {
                    await output.FlushAsync(aborted);
                }
                else
                {
                    try
                    {
                        await Task.WhenAny(signals).WaitAsync(TimeSpan.FromSeconds(15), aborted);
                    }
                    catch (TimeoutException)
                    {
                        output.Write(":\n\n"u8);
                        await output.FlushAsync(aborted);
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client left.
        }
    }

    private sealed class LogSink(ConcurrentDictionary<string, FrameLog> logs) : IEventSink
    {
        private readonly HashSet<FrameLog> _touched = [];

        public void CreateTopic(string name, int partitions, int index) => logs[name] = new FrameLog();

        public void Emit(SourceTopic topic, int partition, long seq, long micros, bool backlog = false)
        {
            var json = BenchEvents.Create(topic.Name, topic.Index * BenchEvents.KeysPerTopic + partition, seq, micros, topic.Name, partition, seq);
            var head = Encoding.UTF8.GetBytes($"event: message\nid: [{{\"topic\":\"{topic.Name}\",\"partition\":{partition},\"timestamp\":{micros / 1000}}}]\ndata: ");
            var frame = new byte[head.Length + json.Length + 2];
            head.CopyTo(frame, 0);
            json.CopyTo(frame, head.Length);
            frame[^2] = (byte)'\n';
            frame[^1] = (byte)'\n';
            var log = logs[topic.Name];
            log.Append(frame);
            _touched.Add(log);
        }

        public void EndTick()
        {
            foreach (var log in _touched)
            {
                log.Publish();
            }

            _touched.Clear();
        }

        public void Flush()
        {
        }
    }
}
