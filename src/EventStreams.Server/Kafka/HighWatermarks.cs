using Confluent.Kafka;

namespace EventStreams.Server.Kafka;

/// <summary>
/// "The end of the partition now", asked of the broker but shared: a caller joins the next query that starts after
/// its call, so however many clients ask at once, each partition has at most one query in flight and one waiting.
/// That query starts after the call, so every message the broker acknowledged before the call is below its answer.
/// </summary>
internal sealed class HighWatermarks(KafkaClients kafka, BrokerCalls calls)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TopicPartition, Pending> _pending = [];

    /// <summary>The high watermark of <paramref name="partition"/> as the broker sees it at some moment after this call.</summary>
    public Task<long> AfterNowAsync(TopicPartition partition)
    {
        lock (_gate)
        {
            if (!_pending.TryGetValue(partition, out var pending))
            {
                pending = new Pending();
                _pending[partition] = pending;
                var first = NewWaiter();
                Query(partition, first);
                return first.Task;
            }

            // A query in flight may have been sent before this call: wait for the next one.
            pending.Next ??= NewWaiter();
            return pending.Next.Task;
        }
    }

    private void Query(TopicPartition partition, TaskCompletionSource<long> answer) => _ = QueryAsync(partition, answer);

    private async Task QueryAsync(TopicPartition partition, TaskCompletionSource<long> answer)
    {
        try
        {
            answer.TrySetResult(await calls.RunAsync(() => kafka.Watermarks(partition).High.Value));
        }
        catch (Exception e)
        {
            answer.TrySetException(e);
        }
        finally
        {
            lock (_gate)
            {
                var pending = _pending[partition];
                if (pending.Next is { } next)
                {
                    pending.Next = null;
                    Query(partition, next);
                }
                else
                {
                    _pending.Remove(partition);
                }
            }
        }
    }

    private static TaskCompletionSource<long> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Pending
    {
        public TaskCompletionSource<long>? Next;
    }
}
