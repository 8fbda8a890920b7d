namespace EventStreams.Server.Health;

/// <summary>One running stream's view of <see cref="StreamTerminations"/>: a token cancelled when the server ends it, and why.</summary>
public sealed class StreamWatch : IDisposable
{
    private readonly CancellationTokenSource _linked;
    private readonly Func<StreamEnding> _reason;

    internal StreamWatch(CancellationTokenSource linked, Func<StreamEnding> reason)
    {
        _linked = linked;
        _reason = reason;
    }

    public CancellationToken Token => _linked.Token;

    /// <summary>Why <see cref="Token"/> was cancelled; null while it was not.</summary>
    public StreamEnding? Ending => _linked.IsCancellationRequested ? _reason() : null;

    public void Dispose() => _linked.Dispose();
}
