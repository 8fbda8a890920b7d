using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using EventStreams.Bench.Sources;
using Microsoft.AspNetCore.Http.Features;

namespace EventStreams.Bench.Servers;

/// <summary>
/// The ceiling: a minimal Kestrel endpoint that writes the same pre-encoded SSE frames from memory at the same
/// rate, with no Kafka at all. Each frame is built once (id and data) and written to every client, the way
/// <c>../shared/tools/ceiling</c> does it (a bounded queue per client filled by the producer's thread, drained then
/// flushed by the client's request), so the benchmark's ceiling and the shared fan-out script's are the same limit.
/// </summary>
internal static class CeilingServer
{
    private const int MaxBatchBytes = 64 * 1024;
    private const int QueueFrames = 1024;

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

        // Like ../shared/tools/ceiling: every client has its own bounded queue of the shared frames, filled by the
        // producer's thread; its request loop drains what is queued (up to 64 KB), then flushes once.
        var queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueFrames) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var output = response.BodyWriter;
        var aborted = context.RequestAborted;
        // Resuming clients first get what the logs hold (the catch-up scenario fills them first); others start at the end.
        var backlog = Follow(selected, queue.Writer, resume: context.Request.Headers.ContainsKey("Last-Event-ID"));
        try
        {
            output.Write(":ok\n\n"u8);
            await output.FlushAsync(aborted);
            foreach (var (log, from, to) in backlog)
            {
                for (var i = from; i < to; i++)
                {
                    output.Write(log.At(i));
                    if (output.UnflushedBytes >= MaxBatchBytes)
                    {
                        await output.FlushAsync(aborted);
                    }
                }
            }

            var reader = queue.Reader;
            while (await reader.WaitToReadAsync(aborted))
            {
                var batch = 0;
                while (batch < MaxBatchBytes && reader.TryRead(out var frame))
                {
                    output.Write(frame);
                    batch += frame.Length;
                }

                if ((await output.FlushAsync(aborted)).IsCompleted)
                {
                    break;
                }
            }
        }
        catch (ChannelClosedException)
        {
            // Fell behind by a whole queue: the ceiling has no catch-up path.
            context.Abort();
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client left.
        }
        finally
        {
            lock (FrameLog.Gate)
            {
                foreach (var log in selected)
                {
                    log.Followers = Array.FindAll(log.Followers, f => f != queue.Writer);
                }
            }
        }
    }

    /// <summary>Adds the client's queue to every log it follows; for a resuming client, what each log held then.</summary>
    private static List<(FrameLog Log, long From, long To)> Follow(List<FrameLog> selected, ChannelWriter<byte[]> queue, bool resume)
    {
        lock (FrameLog.Gate)
        {
            var backlog = new List<(FrameLog, long, long)>();
            foreach (var log in selected)
            {
                if (resume)
                {
                    backlog.Add((log, log.Oldest, log.Published));
                }

                log.Followers = [.. log.Followers, queue];
            }

            return backlog;
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
