using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using EventStreams.Server.Diagnostics;

namespace EventStreams.Server.Intake;

/// <summary>
/// Validates and produces a request's events, EventGate's <c>process</c>: each valid event goes to its stream's first
/// topic (e.g. the <c>eqiad.</c> one); each invalid one becomes an <c>/error/2.1.0</c> event on
/// <c>&lt;destination_event_service&gt;.error.validation</c>, produced without holding up the response.
/// </summary>
internal sealed partial class EventIntake(
    EventValidator validator,
    IntakeStreams streams,
    IntakeProducer producer,
    IntakeMetrics metrics,
    TimeProvider time,
    ILogger<EventIntake> logger)
{
    /// <summary>A batch is validated by several workers once each would get at least this many events.</summary>
    private const int MinEventsPerWorker = 16;

    public async Task<IntakeResult> ProcessAsync(JsonElement body, bool wait, CancellationToken cancellationToken)
    {
        JsonElement[] events = body.ValueKind == JsonValueKind.Array ? [.. body.EnumerateArray()] : [body];
        var results = new (ValidatedEvent Valid, Task? Delivery)[events.Length];

        // Validation is the CPU of the intake: a large batch is split over the cores, each part produced as it is
        // validated (like EventGate, which processes a batch's events concurrently, the order within a batch is not kept).
        var workers = Math.Clamp(events.Length / MinEventsPerWorker, 1, Environment.ProcessorCount);
        if (workers == 1)
        {
            await ValidateAndProduceAsync(0, events.Length);
        }
        else
        {
            var size = (events.Length + workers - 1) / workers;
            await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => ValidateAndProduceAsync(w * size, Math.Min(events.Length, (w + 1) * size)), cancellationToken)));
        }

        async Task ValidateAndProduceAsync(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var result = await validator.ValidateAsync(events[i], cancellationToken);
                metrics.Validated(Stopwatch.GetElapsedTime(started));
                Task? delivery = null;
                if (result.Failure is null)
                {
                    var topic = result.Stream!.Topics[0];
                    if (wait)
                    {
                        delivery = producer.ProduceAsync(topic, result.Value!, cancellationToken);
                    }
                    else
                    {
                        producer.Produce(topic, result.Value!);
                    }
                }

                results[i] = (result, delivery);
            }
        }

        var total = events.Length;
        var invalid = results.Select(r => r.Valid.Failure).OfType<EventFailure>().ToList();
        var produced = results.Select((r, i) => (Event: events[i], r.Valid, r.Delivery)).Where(r => r.Delivery is not null).ToList();
        var errors = new List<EventFailure>();
        foreach (var (e, valid, delivery) in produced)
        {
            try
            {
                await delivery!;
            }
            catch (KafkaException x)
            {
                LogProduceFailed(logger, valid.Stream!.Name, x.Error.Reason);
                errors.Add(new EventFailure(EventFailure.Error, e.Clone(), $"Producing to {valid.Stream.Topics[0]} failed: {x.Error.Reason}", [], valid.Stream.Name, null));
                metrics.Event(valid.Stream.Name, IntakeMetrics.Error);
                continue;
            }

            metrics.Event(valid.Stream!.Name, IntakeMetrics.Accepted);
        }

        foreach (var (valid, delivery) in results)
        {
            if (valid.Failure is { } failure)
            {
                metrics.Event(failure.Stream, IntakeMetrics.Invalid);
            }
            else if (delivery is null)
            {
                // Hasty: handed to the producer without waiting for Kafka's acknowledgement.
                metrics.Event(valid.Stream!.Name, IntakeMetrics.Accepted);
            }
        }

        ProduceErrorEvents(invalid);
        return new IntakeResult(total, total - invalid.Count - errors.Count, invalid, errors);
    }

    private void ProduceErrorEvents(List<EventFailure> invalid)
    {
        foreach (var failure in invalid)
        {
            if (streams.ErrorStreamFor(failure.Stream) is not { } errorStream)
            {
                LogNoErrorStream(logger, failure.Stream ?? "(none)");
                continue;
            }

            var service = errorStream.Name[..^IntakeStreams.ErrorStreamSuffix.Length];
            var now = time.GetUtcNow();
            producer.Produce(errorStream.Topics[0], ErrorEvents.Create(failure, errorStream.Name, service, now, Guid.CreateVersion7(now)));
        }
    }

    [LoggerMessage(LogEventIds.IntakeProduceFailed, LogLevel.Warning, "Intake: producing an event of {Stream} failed: {Reason}")]
    private static partial void LogProduceFailed(ILogger logger, string stream, string reason);

    [LoggerMessage(LogEventIds.IntakeNoErrorStream, LogLevel.Debug, "Intake: no error stream is declared for invalid events of {Stream}; no error event produced")]
    private static partial void LogNoErrorStream(ILogger logger, string stream);
}
