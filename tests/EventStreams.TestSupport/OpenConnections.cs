namespace EventStreams.TestSupport;

/// <summary>A count of open connections (or requests) that a test can wait on: every change wakes the waiters.</summary>
public sealed class OpenConnections
{
    private readonly object _gate = new();
    private int _count;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count => Volatile.Read(ref _count);

    public void Add(int delta)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _count += delta;
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Waits until the count satisfies <paramref name="condition"/>; throws with the last count after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<int, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (condition(_count))
                {
                    return;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{what}: still {Count} after {timeout.TotalMilliseconds:0} ms.");
            }
        }
    }
}
