using System.Text;
using Confluent.Kafka;

namespace EventStreams.IntegrationTests.Intake;

/// <summary>Reads back from Kafka itself, not through a stream, exactly the bytes the intake produced.</summary>
public static class ProducedEvents
{
    /// <summary>The value of the first message on partition 0 of <paramref name="topic"/> that contains <paramref name="marker"/>.</summary>
    public static async Task<byte[]> FindAsync(TestServer server, string topic, string marker)
    {
        var needle = Encoding.UTF8.GetBytes(marker);
        return await Task.Run(() =>
        {
            using var consumer = server.Kafka.CreateConsumer("test-read-back");
            consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
            var deadline = DateTime.UtcNow + IntakeClient.Wait;
            while (DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false, Message.Value: { } value }
                    && value.AsSpan().IndexOf(needle) >= 0)
                {
                    return value;
                }
            }

            throw new TimeoutException($"No message with {marker} on {topic} within {IntakeClient.Wait}");
        }).WaitAsync(IntakeClient.Wait + TimeSpan.FromSeconds(5));
    }
}
