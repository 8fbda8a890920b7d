using EventStreams.Server.Diagnostics;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Health;

/// <summary>
/// The stopping instance's drain. It begins on the first sign of a stop: <c>ApplicationStopping</c> (SIGTERM, Ctrl+C) or the
/// host's stopping phase (<c>StopAsync</c>, which comes before <c>ApplicationStopping</c>). From then on <c>/readyz</c> is 503, new
/// streams are told to come back and running ones are ended with that advice (<see cref="StreamTerminations"/>). Then it keeps
/// the server listening for <see cref="ShutdownOptions.DrainSeconds"/> (every <c>StoppingAsync</c> runs before Kestrel stops), so
/// that requests still routed here are sent elsewhere instead of refused.
/// </summary>
internal sealed partial class ShutdownDrain : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _draining = new();
    private readonly ShutdownOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ShutdownDrain> _logger;
    private readonly CancellationTokenRegistration _onStopping;

    public ShutdownDrain(IHostApplicationLifetime lifetime, IOptions<ShutdownOptions> options, TimeProvider time, ILogger<ShutdownDrain> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _onStopping = lifetime.ApplicationStopping.UnsafeRegister(static drain => ((ShutdownDrain)drain!).Begin(), this);
    }

    /// <summary>Cancelled when the drain begins.</summary>
    public CancellationToken Draining => _draining.Token;

    public bool IsDraining => _draining.IsCancellationRequested;

    /// <summary>The <c>retry:</c> for one SSE client: spread at random so that thousands of clients do not reconnect in the same instant.</summary>
    public int NextRetryMilliseconds() => Random.Shared.Next(0, _options.RetryMilliseconds + 1);

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        Begin();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(_options.DrainSeconds), _time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout is shorter than the drain: stop now.
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _onStopping.Dispose();
        _draining.Dispose();
    }

    private void Begin()
    {
        lock (_draining)
        {
            if (_draining.IsCancellationRequested)
            {
                return;
            }

            LogDraining(_logger, _options.DrainSeconds);
            _draining.Cancel();
        }
    }

    [LoggerMessage(LogEventIds.ShutdownDraining, LogLevel.Information, "Stopping: unready, ending streams with advice to reconnect elsewhere; still answering for {Seconds} s (Shutdown:DrainSeconds)")]
    private static partial void LogDraining(ILogger logger, int seconds);
}
