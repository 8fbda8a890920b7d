namespace EventStreams.Server.Kafka;

/// <summary>
/// The one way this server runs work that blocks for its whole life (librdkafka's <c>Consume</c> and metadata loops, the
/// demo's clock-paced producer): a named background thread of its own, never a thread-pool thread, whose end is
/// <see cref="Ended"/> (faulted if the work threw, cancelled if it stopped by its token). A single blocking broker round
/// trip asked for by a request is not this: it runs on <see cref="BrokerCalls"/>.
/// </summary>
internal sealed class DedicatedThread
{
    private readonly Thread _thread;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DedicatedThread(string name, Action work)
    {
        _thread = new Thread(() =>
        {
            try
            {
                work();
                _ended.TrySetResult();
            }
            catch (OperationCanceledException e)
            {
                _ended.TrySetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                _ended.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
    }

    public Task Ended => _ended.Task;

    public static DedicatedThread Start(string name, Action work)
    {
        var thread = new DedicatedThread(name, work);
        thread._thread.Start();
        return thread;
    }

    /// <summary>Waits at most <paramref name="timeout"/> for the work to end; false when it did not.</summary>
    public bool Join(TimeSpan timeout) => _thread.Join(timeout);
}
