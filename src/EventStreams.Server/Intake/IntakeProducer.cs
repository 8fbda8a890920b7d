using Confluent.Kafka;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Intake;

/// <summary>
/// The intake's one Kafka producer. A short linger (a couple of milliseconds) keeps POST → delivered well under 100 ms
/// while still batching under load; a message not delivered within <c>Intake:ProduceTimeoutSeconds</c> fails.
/// </summary>
internal sealed partial class IntakeProducer(KafkaClients kafka, IOptions<IntakeOptions> options, ILogger<IntakeProducer> logger) : IDisposable
{
    public const int LingerMs = 2;

    private readonly Lazy<IProducer<byte[]?, byte[]?>> _producer = new(() => kafka.CreateProducer(c =>
    {
        c.LingerMs = LingerMs;
        c.MessageTimeoutMs = options.Value.ProduceTimeoutSeconds * 1000;
        c.SocketNagleDisable = true;
    }));

    private long _hastyFailures;

    /// <summary>Produces and waits for the broker's acknowledgement; throws <see cref="KafkaException"/> when it fails.</summary>
    public Task ProduceAsync(string topic, byte[] value, CancellationToken cancellationToken) =>
        _producer.Value.ProduceAsync(topic, new Message<byte[]?, byte[]?> { Value = value }, cancellationToken);

    /// <summary>Produces without waiting (hasty requests, error events); failures are only logged.</summary>
    public void Produce(string topic, byte[] value)
    {
        try
        {
            _producer.Value.Produce(topic, new Message<byte[]?, byte[]?> { Value = value }, OnDelivery);
        }
        catch (KafkaException e)
        {
            LogFailed(logger, Interlocked.Increment(ref _hastyFailures), topic, e.Error.Reason);
        }
    }

    private void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
    {
        if (report.Error.IsError)
        {
            LogFailed(logger, Interlocked.Increment(ref _hastyFailures), report.Topic, report.Error.Reason);
        }
    }

    public void Dispose()
    {
        if (_producer.IsValueCreated)
        {
            _producer.Value.Flush(TimeSpan.FromSeconds(2));
            _producer.Value.Dispose();
        }
    }

    [LoggerMessage(LogEventIds.IntakeProduceWithoutWaitFailed, LogLevel.Warning, "Intake: an event produced without waiting failed ({Count} so far), to {Topic}: {Reason}")]
    private static partial void LogFailed(ILogger logger, long count, string topic, string reason);
}
