using System.Text.Json;
using Confluent.Kafka;

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
    TimeProvider time,
    ILogger<EventIntake> logger)
{
    public async Task<IntakeResult> ProcessAsync(JsonElement body, bool wait, CancellationToken cancellationToken)
    {
        var total = body.ValueKind == JsonValueKind.Array ? body.GetArrayLength() : 1;
        var invalid = new List<EventFailure>();
        var produced = new List<(JsonElement Event, ValidatedEvent Valid, Task Delivery)>(total);
        foreach (var e in body.ValueKind == JsonValueKind.Array ? body.EnumerateArray() : Enumerable.Repeat(body, 1))
        {
            var result = await validator.ValidateAsync(e, cancellationToken);
            if (result.Failure is { } failure)
            {
                invalid.Add(failure);
                continue;
            }

            var topic = result.Stream!.Topics[0];
            if (wait)
            {
                produced.Add((e, result, producer.ProduceAsync(topic, result.Value!, cancellationToken)));
            }
            else
            {
                producer.Produce(topic, result.Value!);
            }
        }

        var errors = new List<EventFailure>();
        foreach (var (e, valid, delivery) in produced)
        {
            try
            {
                await delivery;
            }
            catch (KafkaException x)
            {
                LogProduceFailed(logger, valid.Stream!.Name, x.Error.Reason);
                errors.Add(new EventFailure(EventFailure.Error, e.Clone(), $"Producing to {valid.Stream.Topics[0]} failed: {x.Error.Reason}", [], valid.Stream.Name, null));
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

    [LoggerMessage(1120, LogLevel.Warning, "Intake: producing an event of {Stream} failed: {Reason}")]
    private static partial void LogProduceFailed(ILogger logger, string stream, string reason);

    [LoggerMessage(1121, LogLevel.Debug, "Intake: no error stream is declared for invalid events of {Stream}; no error event produced")]
    private static partial void LogNoErrorStream(ILogger logger, string stream);
}
