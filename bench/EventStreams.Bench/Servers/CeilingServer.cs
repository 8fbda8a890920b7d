using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using EventStreams.Bench.Sources;
using Microsoft.AspNetCore.Http.Features;

namespace EventStreams.Bench.Servers;

/// <summary>
/// The ceiling: a minimal Kestrel endpoint that writes the same pre-encoded SSE frames from memory at the same
/// rate, with no Kafka at all. Each frame is built once (id and data) and written to every client that follows one
/// partition. A client that follows several partitions gets the frames our server sends it: an id with an element per
/// partition (a 64-partition id is ~4 KB, four times the event), kept per client and assembled from pre-encoded
/// elements, only the event's partition's element replaced per event.
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
        var ids = selected.Sum(l => l.Partitions) > 1 ? new IdElements(selected, resume) : null;
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
                        var frame = log.At(next[i]);
                        if (ids is null)
                        {
                            output.Write(frame.Whole);
                        }
                        else
                        {
                            ids.Write(output, i, frame);
                        }
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
