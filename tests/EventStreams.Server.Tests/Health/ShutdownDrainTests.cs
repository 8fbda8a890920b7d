using EventStreams.Server.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EventStreams.Server.Tests.Health;

/// <summary>The drain alone: when it begins, what readiness says, how long the host's stopping phase is held (fake time).</summary>
public sealed class ShutdownDrainTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();
    private readonly Lifetime _lifetime = new();

    [Fact]
    public async Task StoppingAsync_UnreadyAtOnceAndHeldForDrainSeconds()
    {
        using var drain = Drain(drainSeconds: 5);
        var check = new ShutdownHealthCheck(drain);
        var before = await check.CheckHealthAsync(new HealthCheckContext());

        var stopping = drain.StoppingAsync(CancellationToken.None);
        var during = await check.CheckHealthAsync(new HealthCheckContext());
        var heldAt4 = AdvanceAndSee(TimeSpan.FromSeconds(4), stopping);
        _time.Advance(TimeSpan.FromSeconds(1));
        await stopping.WaitAsync(Wait);

        Assert.Equal(HealthStatus.Healthy, before.Status);
        Assert.Equal(HealthStatus.Unhealthy, during.Status);
        Assert.True(drain.Draining.IsCancellationRequested);
        Assert.False(heldAt4);
    }

    [Fact]
    public void ApplicationStopping_BeginsTheDrainBeforeTheHostStops()
    {
        using var drain = Drain(drainSeconds: 5);
        var before = drain.IsDraining;

        _lifetime.Stop();

        Assert.False(before);
        Assert.True(drain.IsDraining);
        Assert.True(drain.Draining.IsCancellationRequested);
    }

    [Fact]
    public async Task StoppingAsync_HostTimeoutShorterThanTheDrain_StopsAtOnce()
    {
        using var drain = Drain(drainSeconds: 300);
        using var hostTimeout = new CancellationTokenSource();

        var stopping = drain.StoppingAsync(hostTimeout.Token);
        await hostTimeout.CancelAsync();

        await stopping.WaitAsync(Wait);
        Assert.True(drain.IsDraining);
    }

    [Fact]
    public void NextRetryMilliseconds_SpreadUpToTheSetting()
    {
        using var drain = Drain(drainSeconds: 0, retryMilliseconds: 500);

        var retries = Enumerable.Range(0, 200).Select(_ => drain.NextRetryMilliseconds()).ToList();

        Assert.All(retries, retry => Assert.InRange(retry, 0, 500));
        Assert.True(retries.Distinct().Count() > 1);
    }

    public void Dispose() => _lifetime.Dispose();

    private ShutdownDrain Drain(int drainSeconds, int retryMilliseconds = ShutdownOptions.DefaultRetryMilliseconds) =>
        new(_lifetime, Options.Create(new ShutdownOptions { DrainSeconds = drainSeconds, RetryMilliseconds = retryMilliseconds }), _time, NullLogger<ShutdownDrain>.Instance);

    private bool AdvanceAndSee(TimeSpan by, Task task)
    {
        _time.Advance(by);
        return task.IsCompleted;
    }

    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stop();

        public void Stop() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }
}
