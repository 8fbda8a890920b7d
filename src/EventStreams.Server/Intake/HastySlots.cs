using Microsoft.Extensions.Options;

namespace EventStreams.Server.Intake;

/// <summary>The bound on hasty requests being worked on after their 202 (<c>Intake:MaxHastyBatches</c>).</summary>
internal sealed class HastySlots(IOptions<IntakeOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxHastyBatches, options.Value.MaxHastyBatches);

    public Task EnterAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

    /// <summary>Gives the slot back when disposed.</summary>
    public IDisposable Leave() => new Release(_slots);

    public void Dispose() => _slots.Dispose();

    private sealed class Release(SemaphoreSlim slots) : IDisposable
    {
        public void Dispose() => slots.Release();
    }
}
