namespace EventStreams.Server.Diagnostics;

/// <summary>What the Kafka readers report (implemented by <see cref="StreamMetrics"/>).</summary>
internal interface IReaderMetrics
{
    void SkippedMessage(string topic);

    void Lag(string topic, int partition, long lag);
}
