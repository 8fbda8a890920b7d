using EventStreams.Server.Kafka;

namespace EventStreams.Server.Tests.Kafka;

public sealed class BrokerCallsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ManyBlockingCalls_RunOffThePool_AtMostThreadsAtOnce_EachAnswered()
    {
        using var calls = new BrokerCalls();
        using var release = new ManualResetEventSlim();
        using var started = new CountdownEvent(BrokerCalls.Threads);
        var running = 0;
        var mostAtOnce = 0;
        var onPool = 0;

        var answers = Enumerable.Range(0, 5 * BrokerCalls.Threads).Select(i => calls.RunAsync(() =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostAtOnce, now);
            Interlocked.Add(ref onPool, Thread.CurrentThread.IsThreadPoolThread ? 1 : 0);
            if (!started.IsSet)
            {
                started.Signal();
            }

            release.Wait(Wait);
            Interlocked.Decrement(ref running);
            return i;
        })).ToList();
        Assert.True(started.Wait(Wait), "the first calls start at once");
        var queued = answers.Count(a => !a.IsCompleted);
        release.Set();

        Assert.Equal(Enumerable.Range(0, answers.Count), await Task.WhenAll(answers).WaitAsync(Wait));
        Assert.Equal(answers.Count, queued);
        Assert.Equal(BrokerCalls.Threads, mostAtOnce);
        Assert.Equal(0, onPool);
    }

    [Fact]
    public async Task AFailingCall_FaultsItsTaskOnly()
    {
        using var calls = new BrokerCalls();

        var failing = calls.RunAsync<int>(() => throw new InvalidOperationException("broker down"));
        var next = calls.RunAsync(() => 42);

        Assert.Equal("broker down", (await Assert.ThrowsAsync<InvalidOperationException>(() => failing.WaitAsync(Wait))).Message);
        Assert.Equal(42, await next.WaitAsync(Wait));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }
}
