using System.Collections.Concurrent;
using System.IO.Pipelines;
using EventStreams.Server.Streaming;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Transports;

/// <summary>
/// Gives up writes that a client does not take within <c>Streaming:StalledClientSeconds</c>. One timer for the whole server
/// looks at the flushes that are waiting (about once a second), instead of a timer and a cancellation source per stream:
/// an idle stream holds nothing here, and a flush that completes at once (nearly all) is not even registered.
/// </summary>
internal sealed class StalledWrites : IDisposable
{
    private static readonly TimeSpan MaxCheckPeriod = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly long _stallTicks;
    private readonly ConcurrentDictionary<PendingFlush, byte> _pending = new();
    private readonly ITimer _timer;

    public StalledWrites(IOptions<StreamingOptions> options, TimeProvider time)
    {
        _time = time;
        Stall = TimeSpan.FromSeconds(options.Value.StalledClientSeconds);
        _stallTicks = (long)(Stall.TotalSeconds * time.TimestampFrequency);
        var period = Stall / 4 < MaxCheckPeriod ? Stall / 4 : MaxCheckPeriod;
        _timer = time.CreateTimer(static self => ((StalledWrites)self!).Check(), this, period, period);
    }

    public TimeSpan Stall { get; }

    /// <summary>
    /// Flushes <paramref name="output"/>; a flush the client has not taken within <see cref="Stall"/> throws
    /// <see cref="ClientStalledException"/>. Cancelling <paramref name="cancellationToken"/> gives it up at once.
    /// </summary>
    public ValueTask FlushAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        var flush = output.FlushAsync(cancellationToken);
        if (flush.IsCompletedSuccessfully)
        {
            return flush.Result.IsCanceled ? throw new OperationCanceledException(cancellationToken) : ValueTask.CompletedTask;
        }

        return WaitAsync(flush, output, cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> into an upgraded connection's stream (each write flushes); a write the client has
    /// not taken within <see cref="Stall"/> aborts <paramref name="connection"/> and throws <see cref="ClientStalledException"/>.
    /// </summary>
    public ValueTask WriteAsync(Stream output, ReadOnlyMemory<byte> bytes, HttpContext connection)
    {
        var write = output.WriteAsync(bytes);
        return write.IsCompletedSuccessfully ? ValueTask.CompletedTask : WaitAsync(write, connection);
    }

    public void Dispose() => _timer.Dispose();

    private async ValueTask WaitAsync(ValueTask write, HttpContext connection)
    {
        var pending = Register(connection.Abort);
        try
        {
            await write;
        }
        catch (Exception) when (pending.Stalled)
        {
            throw new ClientStalledException();
        }
        finally
        {
            Unregister(pending);
        }

        if (pending.Stalled)
        {
            throw new ClientStalledException();
        }
    }

    private async ValueTask WaitAsync(ValueTask<FlushResult> flush, PipeWriter output, CancellationToken cancellationToken)
    {
        // The client is not taking data right now: from here on it has `Stall` to accept some.
        var pending = Register(output.CancelPendingFlush);
        FlushResult result;
        try
        {
            result = await flush;
        }
        finally
        {
            Unregister(pending);
        }

        if (pending.Stalled)
        {
            throw new ClientStalledException();
        }

        if (result.IsCanceled)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    private PendingFlush Register(Action giveUp)
    {
        var pending = new PendingFlush(giveUp, _time.GetTimestamp() + _stallTicks);
        _pending.TryAdd(pending, 0);
        return pending;
    }

    private void Unregister(PendingFlush pending)
    {
        _pending.TryRemove(pending, out _);
        pending.Complete();
    }

    private void Check()
    {
        var now = _time.GetTimestamp();
        foreach (var pending in _pending.Keys)
        {
            pending.GiveUpIfDue(now);
        }
    }

    /// <summary>A flush waiting for its client. Given up only while it is still waiting, never the writer's next flush.</summary>
    private sealed class PendingFlush(Action giveUp, long deadline)
    {
        private readonly Lock _gate = new();
        private bool _completed;

        public bool Stalled { get; private set; }

        public void GiveUpIfDue(long now)
        {
            lock (_gate)
            {
                if (!_completed && now >= deadline)
                {
                    Stalled = true;
                    giveUp();
                }
            }
        }

        public void Complete()
        {
            lock (_gate)
            {
                _completed = true;
            }
        }
    }
}
