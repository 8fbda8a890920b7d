using EventStreams.Server.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace EventStreams.Server.Tests.Kafka;

/// <summary>What every subscription waits on: signals, its deadline (the heartbeat) and cancellation, with fake time.</summary>
public sealed class WakeupTests : IDisposable
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly FakeTimeProvider _time = new();
    private readonly WakeupTimer _timer;

    public WakeupTests() => _timer = new WakeupTimer(_time);

    public void Dispose() => _timer.Dispose();

    [Fact]
    public async Task WaitAsync_SignalledBeforeTheWaitButAfterReset_EndsAtOnceWithTrue()
    {
        using var wakeup = new Wakeup(_timer);
        wakeup.Signal(); // before the reset: forgotten
        wakeup.Reset();
        var forgotten = wakeup.WaitAsync(Heartbeat, CancellationToken.None);
        var waitingAfterReset = !forgotten.IsCompleted;
        wakeup.Signal();
        var first = await forgotten.AsTask().WaitAsync(Wait);
        wakeup.Reset();
        wakeup.Signal();

        var second = wakeup.WaitAsync(Heartbeat, CancellationToken.None);

        Assert.True(waitingAfterReset);
        Assert.True(first);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.True(await second);
    }

    [Fact]
    public async Task WaitAsync_NothingSignalled_FalseExactlyAtItsDeadline()
    {
        using var wakeup = new Wakeup(_timer);
        wakeup.Reset();

        var waiting = wakeup.WaitAsync(Heartbeat, CancellationToken.None);
        _time.Advance(Heartbeat - Tick);
        var beforeDeadline = waiting.IsCompleted;
        _time.Advance(Tick);

        Assert.False(beforeDeadline);
        Assert.False(await waiting.AsTask().WaitAsync(Wait));
    }

    [Fact]
    public async Task WaitAsync_EarlierWaitsEndedBySignals_EachWaitHasItsWholeTimeFromItsOwnStart()
    {
        using var wakeup = new Wakeup(_timer);
        wakeup.Reset();
        var first = wakeup.WaitAsync(Heartbeat, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(10));
        wakeup.Signal();
        var firstSignalled = await first.WaitAsync(Wait);
        wakeup.Reset();

        // The timer armed for the first wait fires at 15 s, before this wait's deadline (25 s): it must re-arm, not end it.
        var second = wakeup.WaitAsync(Heartbeat, CancellationToken.None);
        _time.Advance(Heartbeat - Tick);
        var secondBeforeItsDeadline = second.IsCompleted;
        _time.Advance(Tick);
        var secondTimedOut = !await second.AsTask().WaitAsync(Wait);
        wakeup.Reset();
        var third = wakeup.WaitAsync(Heartbeat, CancellationToken.None).AsTask();
        _time.Advance(Heartbeat);

        Assert.True(firstSignalled);
        Assert.False(secondBeforeItsDeadline);
        Assert.True(secondTimedOut);
        Assert.False(await third.WaitAsync(Wait));
    }

    [Fact]
    public async Task WaitAsync_StreamsSharingTheTimer_EachEndsExactlyAtItsOwnDeadline()
    {
        // One timer for every stream's heartbeat (issue 14 item 2): waits started at different times, one of them moved on by
        // a signal, another disposed while queued; each still ends at its own deadline, and the queue empties.
        using var a = new Wakeup(_timer);
        using var b = new Wakeup(_timer);
        var gone = new Wakeup(_timer);
        a.Reset();
        gone.Reset();
        var aFirst = a.WaitAsync(Heartbeat, CancellationToken.None); // due at 15 s
        var goneWait = gone.WaitAsync(Heartbeat, CancellationToken.None); // due at 15 s, disposed at 1 s
        _time.Advance(TimeSpan.FromSeconds(1));
        gone.Dispose();
        _time.Advance(TimeSpan.FromSeconds(4));
        b.Reset();
        var bWait = b.WaitAsync(Heartbeat, CancellationToken.None); // due at 20 s
        _time.Advance(TimeSpan.FromSeconds(5));
        a.Signal();
        var aSignalled = await aFirst.AsTask().WaitAsync(Wait);
        a.Reset();
        var aSecond = a.WaitAsync(Heartbeat, CancellationToken.None); // due at 25 s; its entry for 15 s is still queued

        _time.Advance(TimeSpan.FromSeconds(10) - Tick);
        var before20 = (a: aSecond.IsCompleted, b: bWait.IsCompleted);
        _time.Advance(Tick);
        var at20 = (a: aSecond.IsCompleted, b: bWait.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(5) - Tick);
        var before25 = aSecond.IsCompleted;
        _time.Advance(Tick);

        Assert.True(aSignalled);
        Assert.Equal((false, false), before20);
        Assert.Equal((false, true), at20);
        Assert.False(await bWait.AsTask().WaitAsync(Wait));
        Assert.False(before25);
        Assert.False(await aSecond.AsTask().WaitAsync(Wait));
        Assert.False(goneWait.IsCompleted);
        Assert.Equal(0, _timer.Count);
    }

    [Fact]
    public async Task WaitAsync_NoDeadline_NeverEndsByTimeOnlyBySignal()
    {
        using var wakeup = new Wakeup(_timer);
        wakeup.Reset();
        var timed = wakeup.WaitAsync(Heartbeat, CancellationToken.None).AsTask();
        wakeup.Signal();
        await timed.WaitAsync(Wait);
        wakeup.Reset();

        var endless = wakeup.WaitAsync(Timeout.InfiniteTimeSpan, CancellationToken.None);
        _time.Advance(Heartbeat * 10);
        var endedByTime = endless.IsCompleted;
        wakeup.Signal();

        Assert.False(endedByTime);
        Assert.True(await endless.AsTask().WaitAsync(Wait));
    }

    [Fact]
    public async Task WaitAsync_TokenCancelledWhileWaitingOrBefore_Throws()
    {
        using var wakeup = new Wakeup(_timer);
        using var stopping = new CancellationTokenSource();
        wakeup.Reset();

        var waiting = wakeup.WaitAsync(Heartbeat, stopping.Token);
        var waitedBeforeCancel = !waiting.IsCompleted;
        await stopping.CancelAsync();
        var whileWaiting = await Record.ExceptionAsync(() => waiting.AsTask().WaitAsync(Wait));
        wakeup.Reset();
        var afterwards = await Record.ExceptionAsync(async () => await wakeup.WaitAsync(Heartbeat, stopping.Token));

        Assert.True(waitedBeforeCancel);
        Assert.IsAssignableFrom<OperationCanceledException>(whileWaiting);
        Assert.IsAssignableFrom<OperationCanceledException>(afterwards);
    }

    [Fact]
    public async Task WaitAsync_EndingTokenCancelled_ThrowsOnTheSignalThatFollowsOrAtTheNextWaitAndTheClientTokenWakesByItself()
    {
        // A stream follows two tokens (its client's and the server's ending) without linking them into a source of its own.
        // The ending token, shared by many streams, gets no callback per stream: whoever cancels it signals afterwards.
        using var wakeup = new Wakeup(_timer);
        using var client = new CancellationTokenSource();
        using var ending = new CancellationTokenSource();
        wakeup.Reset();
        var first = wakeup.WaitAsync(Heartbeat, client.Token, ending.Token);
        var waitedBeforeCancel = !first.IsCompleted;

        await ending.CancelAsync();
        var waitingAfterCancel = !first.IsCompleted;
        wakeup.Signal();
        var whileWaiting = await Record.ExceptionAsync(() => first.AsTask().WaitAsync(Wait));
        wakeup.Reset();
        var atTheNextWait = await Record.ExceptionAsync(async () => await wakeup.WaitAsync(Heartbeat, client.Token, ending.Token));
        using var other = new Wakeup(_timer);
        other.Reset();
        var second = other.WaitAsync(Heartbeat, client.Token, CancellationToken.None);
        await client.CancelAsync();
        var clientGone = await Record.ExceptionAsync(() => second.AsTask().WaitAsync(Wait));

        Assert.True(waitedBeforeCancel);
        Assert.True(waitingAfterCancel);
        Assert.IsAssignableFrom<OperationCanceledException>(whileWaiting);
        Assert.IsAssignableFrom<OperationCanceledException>(atTheNextWait);
        Assert.IsAssignableFrom<OperationCanceledException>(clientGone);
    }
}
