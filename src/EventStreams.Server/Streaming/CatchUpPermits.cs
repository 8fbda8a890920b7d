using Microsoft.Extensions.Options;

namespace EventStreams.Server.Streaming;

/// <summary>
/// Bounds the catch-up readers (a Kafka consumer and a thread each) running at once to
/// <c>Streaming:MaxCatchUpReaders</c>, whatever the number of clients reading history. Clients waiting for one are
/// served first come, first served.
/// </summary>
internal sealed class CatchUpPermits(IOptions<StreamingOptions> options)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<TaskCompletionSource<IDisposable>> _waiting = [];
    private int _free = options.Value.MaxCatchUpReaders;
    private int _granted;

    /// <summary>Permits granted since start (tests and diagnostics).</summary>
    public int Granted => Volatile.Read(ref _granted);

    /// <summary>Permits in use (tests and diagnostics).</summary>
    public int InUse
    {
        get
        {
            lock (_gate)
            {
                return options.Value.MaxCatchUpReaders - _free;
            }
        }
    }

    /// <summary>A permit now or when one is given back, in order of asking. Pass a task that will not be awaited to <see cref="Abandon"/>.</summary>
    public Task<IDisposable> EnterAsync()
    {
        lock (_gate)
        {
            if (_free > 0 && _waiting.Count == 0)
            {
                _free--;
                return Task.FromResult<IDisposable>(new Permit(this));
            }

            var waiter = new TaskCompletionSource<IDisposable>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.AddLast(waiter);
            return waiter.Task;
        }
    }

    /// <summary>Leaves the queue, or gives the permit back if it was granted meanwhile.</summary>
    public void Abandon(Task<IDisposable> entering)
    {
        lock (_gate)
        {
            for (var node = _waiting.First; node is not null; node = node.Next)
            {
                if (node.Value.Task == entering)
                {
                    _waiting.Remove(node);
                    return;
                }
            }
        }

        if (entering.IsCompletedSuccessfully)
        {
            entering.Result.Dispose();
        }
    }

    private void Release()
    {
        TaskCompletionSource<IDisposable>? next;
        lock (_gate)
        {
            next = _waiting.First?.Value;
            if (next is null)
            {
                _free++;
                return;
            }

            _waiting.RemoveFirst();
        }

        next.SetResult(new Permit(this));
    }

    private sealed class Permit : IDisposable
    {
        private readonly CatchUpPermits _owner;
        private int _released;

        public Permit(CatchUpPermits owner)
        {
            _owner = owner;
            Interlocked.Increment(ref owner._granted);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _owner.Release();
            }
        }
    }
}
