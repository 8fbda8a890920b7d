using EventStreams.Server.Streaming;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Tests.Streaming;

public sealed class CatchUpPermitsTests
{
    private static CatchUpPermits Permits(int max) => new(Options.Create(new StreamingOptions { MaxCatchUpReaders = max }));

    [Fact]
    public async Task EnterAsync_BeyondTheLimit_WaitsAndIsServedInOrder()
    {
        var permits = Permits(1);

        var first = await permits.EnterAsync().WaitAsync(TimeSpan.FromSeconds(5));
        var second = permits.EnterAsync();
        var third = permits.EnterAsync();
        Assert.False(second.IsCompleted);
        first.Dispose();
        first.Dispose(); // twice gives back once
        var secondPermit = await second.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.False(third.IsCompleted);
        Assert.Equal(1, permits.InUse);
        secondPermit.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal(0, permits.InUse);
    }

    [Fact]
    public async Task Abandon_LeavesTheQueue_OrGivesBackAGrantedPermit()
    {
        var permits = Permits(1);
        var held = await permits.EnterAsync().WaitAsync(TimeSpan.FromSeconds(5));
        var waiting = permits.EnterAsync();

        permits.Abandon(waiting);
        held.Dispose();
        var granted = permits.EnterAsync();
        permits.Abandon(granted);

        Assert.False(waiting.IsCompleted);
        Assert.True(granted.IsCompletedSuccessfully);
        Assert.Equal(0, permits.InUse);
    }
}
