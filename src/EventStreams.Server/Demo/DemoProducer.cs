using Confluent.Kafka;
using System.Text.Json;
using EventStreams.Server.Catalog;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Intake;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Demo;

/// <summary>
/// Produces live demo events into the embedded broker (never into a configured cluster) at
/// <see cref="DemoOptions.EventsPerSecond"/>: each tick produces the events due since the last one, as a batch.
/// An action's events (an edit's recentchange and revision-create) go to the same data centre's topics. Browser events
/// (session ticks and the invalid events that become validation errors) are posted to the intake instead.
/// </summary>
internal sealed partial class DemoProducer(
    KafkaClients kafka,
    StreamCatalog catalog,
    EventIntake intake,
    IntakeStreams intakeStreams,
    IOptions<DemoOptions> options,
    TimeProvider time,
    ILogger<DemoProducer> logger) : BackgroundService
{
    /// <summary>20 ticks a second keeps the flow smooth at 20 events/s and the batches small at thousands.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    /// <summary>After a stall (a paused debugger, a starved machine) catch up at most this much, rather than in a burst.</summary>
    private const double MaxBacklogSeconds = 1;

    private long _failures;
    private CancellationToken _stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (kafka.EmbeddedCluster is null || !options.Value.Enabled)
        {
            return;
        }

        var rate = options.Value.EventsPerSecond;
        var streams = DemoStreams.All.Where(s => catalog.TryGet(s, out _)).ToList();
        LogStarted(logger, rate, string.Join(", ", streams));

        // Its own thread, ticking by the clock: a thread pool kept busy by thousands of clients (or a test run's many
        // servers) must not slow the demo down. Produce() only enqueues; librdkafka's threads do the I/O.
        await DedicatedThread.Start("demo-producer", () => Run(rate, stoppingToken)).Ended;
    }

    private void Run(double rate, CancellationToken stoppingToken)
    {
        using var producer = kafka.CreateProducer(c => c.LingerMs = 20);
        _stopping = stoppingToken;
        using var generator = new DemoEvents(time);
        var batch = new List<DemoEvent>(8);
        Action<DeliveryReport<byte[]?, byte[]?>> onDelivery = OnDelivery;
        var owed = 0.0;
        var last = time.GetTimestamp();
        // Demo events still queued at shutdown are not worth waiting for.
        while (!stoppingToken.WaitHandle.WaitOne(Tick))
        {
            var now = time.GetTimestamp();
            owed = Math.Min(owed + (time.GetElapsedTime(last, now).TotalSeconds * rate), Math.Max(1, rate * MaxBacklogSeconds));
            last = now;
            owed -= ProduceDue(producer, generator, batch, owed, onDelivery);
        }
    }

    /// <summary>Produces whole actions until <paramref name="owed"/> events are out; returns how many were generated.</summary>
    private int ProduceDue(IProducer<byte[]?, byte[]?> producer, DemoEvents generator, List<DemoEvent> batch, double owed, Action<DeliveryReport<byte[]?, byte[]?>> onDelivery)
    {
        var snapshot = catalog.Current;
        if (!DemoStreams.All.Any(snapshot.Streams.ContainsKey))
        {
            // A catalogue of other streams on the embedded broker: nothing to produce into, so make nothing.
            return (int)Math.Ceiling(owed);
        }

        var generated = 0;
        while (generated < owed)
        {
            batch.Clear();
            generated += generator.NextAction(batch);
            var datacentre = Random.Shared.Next(2);
            foreach (var demoEvent in batch)
            {
                if (demoEvent.ViaIntake)
                {
                    if (intakeStreams.IsOn)
                    {
                        _ = PostToIntakeAsync(demoEvent.Value);
                    }

                    continue;
                }

                // A catalogue without this stream (custom config on the embedded broker) simply does not get it.
                if (!snapshot.Streams.TryGetValue(demoEvent.Stream, out var stream) || stream.Topics.Count == 0)
                {
                    continue;
                }

                var topic = stream.Topics[datacentre % stream.Topics.Count];
                try
                {
                    producer.Produce(topic, new Message<byte[]?, byte[]?> { Value = demoEvent.Value }, onDelivery);
                }
                catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    // The broker cannot keep up with the asked rate: drop what is due rather than queue without bound.
                    LogQueueFull(logger);
                    return (int)Math.Ceiling(owed);
                }
            }
        }

        return generated;
    }

    /// <summary>As a browser's beacon would: through validation, to its stream or, invalid, to the error stream. Nobody waits for the answer.</summary>
    private async Task PostToIntakeAsync(byte[] value)
    {
        try
        {
            using var document = JsonDocument.Parse(value);
            await intake.ProcessAsync(document.RootElement, wait: false, _stopping);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogIntakeFailed(logger, e);
        }
    }

    private void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
    {
        if (report.Error.IsError && Interlocked.Increment(ref _failures) is var count && (count & (count - 1)) == 0)
        {
            LogDeliveryFailed(logger, count, report.Topic, report.Error.Reason);
        }
    }

    [LoggerMessage(LogEventIds.DemoProducing, LogLevel.Information, "Demo producer: {Rate} events/s into {Streams}")]
    private static partial void LogStarted(ILogger logger, double rate, string streams);

    [LoggerMessage(LogEventIds.DemoProduceFailed, LogLevel.Warning, "Demo producer: {Count} events failed so far, the latest to {Topic}: {Reason}")]
    private static partial void LogDeliveryFailed(ILogger logger, long count, string topic, string reason);

    [LoggerMessage(LogEventIds.DemoIntakeFailed, LogLevel.Warning, "Demo producer: posting a browser event to the intake failed")]
    private static partial void LogIntakeFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogEventIds.DemoQueueFull, LogLevel.Warning, "Demo producer: the producer queue is full; dropping this tick's events")]
    private static partial void LogQueueFull(ILogger logger);
}
