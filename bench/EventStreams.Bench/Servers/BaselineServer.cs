using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Confluent.Kafka;
using EventStreams.Server.Kafka;
using Microsoft.AspNetCore.Http.Features;

namespace EventStreams.Bench.Servers;

/// <summary>
/// The baseline: an SSE server built the way the reference service (KafkaSSE) works. Every HTTP client gets its
/// own Kafka consumer, assigned every partition of its topics, and every event is parsed, given its meta and
/// serialised again for each client.
/// </summary>
internal static class BaselineServer
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(string[] args)
    {
        LibrdkafkaLoader.EnsureRegistered();
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var bootstrap = builder.Configuration["Kafka:BootstrapServers"] ?? throw new InvalidOperationException("--Kafka:BootstrapServers is required");
        var fetchWait = int.Parse(builder.Configuration["Kafka:FetchWaitMaxMs"] ?? "10", System.Globalization.CultureInfo.InvariantCulture);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        var partitions = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var app = builder.Build();
        app.MapGet("/v2/stream/{streams}", (HttpContext context, string streams) =>
        {
            var assignment = new List<TopicPartitionOffset>();
            foreach (var topic in streams.Split(','))
            {
                var count = partitions.GetOrAdd(topic, t => admin.GetMetadata(t, TimeSpan.FromSeconds(10)).Topics[0].Partitions.Count);
                for (var p = 0; p < count; p++)
                {
                    assignment.Add(new TopicPartitionOffset(topic, p, Offset.End));
                }
            }

            if (context.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } lastEventId)
            {
                assignment = [.. JsonNode.Parse(lastEventId)!.AsArray().Select(e => new TopicPartitionOffset(
                    (string)e!["topic"]!, (int)e["partition"]!, (long)e["offset"]!))];
            }

            var config = new ConsumerConfig
            {
                BootstrapServers = bootstrap,
                GroupId = "baseline",
                EnableAutoCommit = false,
                FetchWaitMaxMs = fetchWait,
                SocketNagleDisable = true,
            };
            return StreamAsync(context, config, assignment);
        });
        await app.RunAsync();
        return 0;
    }

    private static async Task StreamAsync(HttpContext context, ConsumerConfig config, List<TopicPartitionOffset> assignment)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var output = response.BodyWriter;
        var aborted = context.RequestAborted;
        var channel = Channel.CreateBounded<ConsumeResult<byte[]?, byte[]?>>(new BoundedChannelOptions(1000) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var consumerThread = new Thread(() => Consume(config, assignment, channel.Writer, stop.Token)) { IsBackground = true, Name = "baseline-consumer" };
        consumerThread.Start();

        // The id names the timestamp + 1 of the last event per partition, as KafkaSSE writes it.
        var positions = assignment.ToDictionary(a => a.TopicPartition, a => (JsonNode)new JsonObject { ["topic"] = a.Topic, ["partition"] = a.Partition.Value, ["offset"] = -1 });
        try
        {
            output.Write(":ok\n\n"u8);
            await output.FlushAsync(aborted);
            while (await channel.Reader.WaitToReadAsync(aborted))
            {
                while (channel.Reader.TryRead(out var result))
                {
                    var data = JsonNode.Parse(result.Message.Value)!.AsObject();
                    var meta = data["meta"] as JsonObject ?? [];
                    meta["topic"] = result.Topic;
                    meta["partition"] = result.Partition.Value;
                    meta["offset"] = result.Offset.Value;
                    positions[result.TopicPartition] = new JsonObject { ["topic"] = result.Topic, ["partition"] = result.Partition.Value, ["timestamp"] = result.Message.Timestamp.UnixTimestampMs + 1 };
                    var id = new JsonArray([.. positions.Values.Select(p => p!.DeepClone())]).ToJsonString(Json);
                    var frame = $"event: message\nid: {id}\ndata: {data.ToJsonString(Json)}\n\n";
                    output.Write(Encoding.UTF8.GetBytes(frame));
                }

                await output.FlushAsync(aborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client left.
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    private static void Consume(ConsumerConfig config, List<TopicPartitionOffset> assignment, ChannelWriter<ConsumeResult<byte[]?, byte[]?>> writer, CancellationToken stop)
    {
        try
        {
            using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).SetLogHandler((_, _) => { }).Build();
            consumer.Assign(assignment);
            while (!stop.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result?.Message?.Value is not null)
                {
                    writer.WriteAsync(result, stop).AsTask().GetAwaiter().GetResult();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            writer.TryComplete();
        }
    }
}
