using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace EventStreams.Fleet;

/// <summary>
/// Writes numbered events to <see cref="Fleet.Stream"/>: <c>{"fleet_k":partition,"fleet_seq":n}</c>, n counting from 0 per
/// partition, so that every client can tell exactly what it lost and what it got twice.
/// </summary>
public sealed class FleetProducer : IDisposable
{
    private readonly IProducer<Null, byte[]> _producer;
    private readonly long[] _produced;

    internal FleetProducer(string bootstrapServers, int partitions)
    {
        _producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = bootstrapServers, LingerMs = 2, Acks = Acks.All }).Build();
        _produced = new long[partitions];
    }

    public int Partitions => _produced.Length;

    /// <summary>Events numbered so far in <paramref name="partition"/> (0 to this − 1); all acknowledged once <see cref="RunAsync"/> returned.</summary>
    public long Produced(int partition) => Interlocked.Read(ref _produced[partition]);

    public long Total => Enumerable.Range(0, _produced.Length).Sum(Produced);

    /// <summary>Produces at <paramref name="perSecond"/> events/s, spread over the partitions, until <paramref name="stop"/>; each acknowledged before the next of its partition.</summary>
    public async Task RunAsync(double perSecond, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        long sent = 0;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await tick.WaitForNextTickAsync(stop))
            {
                var due = (long)(clock.Elapsed.TotalSeconds * perSecond);
                var batch = new List<Task>();
                for (; sent < due; sent++)
                {
                    batch.Add(ProduceNextAsync((int)(sent % _produced.Length)));
                }

                await Task.WhenAll(batch);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public void Dispose() => _producer.Dispose();

    private Task ProduceNextAsync(int partition)
    {
        // Numbers are taken in order per partition; the producer keeps that order (one connection, acks before the next batch).
        var seq = Interlocked.Increment(ref _produced[partition]) - 1;
        var json = Encoding.UTF8.GetBytes($$"""{"fleet_k":{{partition}},"fleet_seq":{{seq}}}""");
        return _producer.ProduceAsync(new TopicPartition(Fleet.Stream, partition), new Message<Null, byte[]> { Value = json });
    }
}
