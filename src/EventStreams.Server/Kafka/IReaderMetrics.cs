namespace EventStreams.Server.Kafka;

/// <summary>What the Kafka readers report (implemented by <c>Streaming/StreamMetrics</c>, so that Kafka does not depend on Streaming).</summary>
public interface IReaderMetrics
{
    void SkippedMessage(string topic);

    void Lag(string topic, int partition, long lag);
}
