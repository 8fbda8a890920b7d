using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using System.Threading.Channels;
using EventStreams.Bench.Sources;
using Microsoft.AspNetCore.Http.Features;

namespace EventStreams.Bench.Servers;

/// <summary>
/// The ceiling: a minimal Kestrel endpoint that writes the same pre-encoded SSE frames from memory at the same
/// rate, with no Kafka at all. Each frame is built once (id and data) and written to every client that follows one
/// partition. A client that follows several partitions gets the frames our server sends it: an id with an element per
/// partition (a 64-partition id is ~4 KB, four times the event), kept per client and assembled from pre-encoded
/// elements, only the event's partition's element replaced per event. Live frames reach the clients the way
/// <c>../shared/tools/ceiling</c> sends them (a bounded queue per client filled by the producer's thread, drained then
/// flushed by the client's request), so that the benchmark's ceiling and the shared fan-out script's are the same limit.
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
        var resume = context.Request.Headers.ContainsKey("Last-Event-ID");
        var ids = selected.Sum(l => l.Partitions) > 1 ? new IdElements(selected, resume) : null;
        var queue = Channel.CreateBounded<Queued>(new BoundedChannelOptions(QueueFrames) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var output = response.BodyWriter;
        var aborted = context.RequestAborted;
        // Resuming clients first get what the logs hold (the catch-up scenario fills them first); others start at the end.
        var backlog = Follow(selected, queue.Writer, resume);
        try
        {
            output.Write(":ok\n\n"u8);
            foreach (var (log, from, to) in backlog)
            {
                for (var i = from; i < to; i++)
                {
                    Write(output, ids, new Queued(log, selected[log].At(i)));
                    if (output.UnflushedBytes >= MaxBatchBytes)
                    {
                        await output.FlushAsync(aborted);
                    }
                }
            }

            await output.FlushAsync(aborted);
            var reader = queue.Reader;
            while (await reader.WaitToReadAsync(aborted))
            {
                while (output.UnflushedBytes < MaxBatchBytes && reader.TryRead(out var queued))
                {
                    Write(output, ids, queued);
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
                    log.Followers = Array.FindAll(log.Followers, f => f.Queue != queue.Writer);
                }
            }
        }
    }

    private static void Write(PipeWriter output, IdElements? ids, Queued queued)
    {
        if (ids is null)
        {
            output.Write(queued.Frame.Whole);
        }
        else
        {
            ids.Write(output, queued.Log, queued.Frame);
        }
    }

    /// <summary>Adds the client's queue to every log it follows; for a resuming client, what each log held then.</summary>
    private static List<(int Log, long From, long To)> Follow(List<FrameLog> selected, ChannelWriter<Queued> queue, bool resume)
    {
        lock (FrameLog.Gate)
        {
            var backlog = new List<(int, long, long)>();
            for (var i = 0; i < selected.Count; i++)
            {
                if (resume)
                {
                    backlog.Add((i, selected[i].Oldest, selected[i].Published));
                }

                selected[i].Followers = [.. selected[i].Followers, new Follower(queue, i)];
            }

            return backlog;
        }
    }

    /// <summary>
    /// One multi-partition client's id, as our server writes it: <c>[</c> an element per followed partition <c>]</c>, in
    /// the order of the streams and their partitions. A partition that has sent nothing yet has
    /// <see cref="FrameLog.StartElement"/> (a resuming client) or the element of its newest event (a live one).
    /// </summary>
    private sealed class IdElements
    {
        private readonly byte[][] _elements;
        private readonly int[] _first;
        private readonly ArrayBufferWriter<byte> _frame = new(8192);

        public IdElements(List<FrameLog> logs, bool resume)
        {
            _first = new int[logs.Count];
            var elements = new List<byte[]>();
            for (var i = 0; i < logs.Count; i++)
            {
                _first[i] = elements.Count;
                elements.AddRange(Enumerable.Range(0, logs[i].Partitions).Select(p => resume ? logs[i].StartElement(p) : logs[i].LastElement(p)));
            }

            _elements = [.. elements];
        }

        /// <summary>Writes <paramref name="frame"/> of the <paramref name="log"/>-th stream with this client's id.</summary>
        public void Write(PipeWriter output, int log, Frame frame)
        {
            _elements[_first[log] + frame.Partition] = frame.Element;
            _frame.ResetWrittenCount();
            _frame.Write("event: message\nid: ["u8);
            for (var i = 0; i < _elements.Length; i++)
            {
                if (i > 0)
                {
                    _frame.Write(","u8);
                }

                _frame.Write(_elements[i]);
            }

            _frame.Write("]"u8);
            _frame.Write(frame.Whole.AsSpan(frame.DataStart));
            output.Write(_frame.WrittenSpan);
        }
    }

    private sealed class LogSink(ConcurrentDictionary<string, FrameLog> logs) : IEventSink
    {
        private readonly HashSet<FrameLog> _touched = [];
        private readonly Dictionary<(string, int), (long Timestamp, int Run)> _runs = [];

        public void CreateTopic(string name, int partitions, int index) => logs[name] = new FrameLog(name, partitions);

        public void Emit(SourceTopic topic, int partition, long seq, long micros, bool backlog = false)
        {
            var json = BenchEvents.Create(topic.Name, topic.Index * BenchEvents.KeysPerTopic + partition, seq, micros, topic.Name, partition, seq);
            var timestamp = micros / 1000;
            var head = Encoding.UTF8.GetBytes($"event: message\nid: [{{\"topic\":\"{topic.Name}\",\"partition\":{partition},\"timestamp\":{timestamp}}}]");
            var frame = new byte[head.Length + 7 + json.Length + 2];
            head.CopyTo(frame, 0);
            "\ndata: "u8.CopyTo(frame.AsSpan(head.Length));
            json.CopyTo(frame, head.Length + 7);
            frame[^2] = (byte)'\n';
            frame[^1] = (byte)'\n';

            // Our server's element after this event: its millisecond and how many events of it the client then has.
            var run = _runs.TryGetValue((topic.Name, partition), out var last) && last.Timestamp == timestamp ? last.Run + 1 : 1;
            _runs[(topic.Name, partition)] = (timestamp, run);
            var element = Encoding.UTF8.GetBytes($"{{\"topic\":\"{topic.Name}\",\"partition\":{partition},\"timestamp\":{timestamp},\"skip\":{run}}}");
            var log = logs[topic.Name];
            log.Append(new Frame(frame, head.Length, partition, element));
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
