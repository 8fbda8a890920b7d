using System.Collections.Concurrent;

namespace EventStreams.Server.Kafka;

/// <summary>
/// Where the single blocking broker round trips that opening a stream needs (metadata, watermarks, time → offset
/// lookups) run: a few dedicated threads of their own, never the thread pool. A reconnect storm (every client of a
/// stopped instance resuming elsewhere at once) asks for many of them; on the pool each would block a thread inside
/// librdkafka, where the pool cannot see it, until requests, health probes and running streams wait behind them.
/// Here at most <see cref="Threads"/> run at once and the rest queue, while the pool stays free.
/// </summary>
internal sealed class BrokerCalls : IDisposable
{
    public const int Threads = 4;

    private readonly BlockingCollection<Action> _queue = [];

    public BrokerCalls()
    {
        for (var i = 0; i < Threads; i++)
        {
            DedicatedThread.Start($"kafka-broker-call-{i}", () =>
            {
                foreach (var call in _queue.GetConsumingEnumerable())
                {
                    call();
                }
            });
        }
    }

    /// <summary>Runs <paramref name="call"/> on one of the threads; its result or exception comes back on the task.</summary>
    public Task<T> RunAsync<T>(Func<T> call)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _queue.Add(() =>
            {
                try
                {
                    answer.TrySetResult(call());
                }
                catch (Exception e)
                {
                    answer.TrySetException(e);
                }
            });
        }
        catch (InvalidOperationException e)
        {
            // Stopped (the host is shutting down).
            answer.TrySetException(new ObjectDisposedException(nameof(BrokerCalls), e));
        }

        return answer.Task;
    }

    public void Dispose() => _queue.CompleteAdding();
}
