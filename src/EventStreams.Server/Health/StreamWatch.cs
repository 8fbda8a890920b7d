namespace EventStreams.Server.Health;

/// <summary>
/// One running stream's view of <see cref="StreamTerminations"/>: a token cancelled when the server ends it, and why. A value:
/// for a stream of one catalogued name the token is the one shared by all of that stream's clients.
/// </summary>
internal readonly struct StreamWatch : IDisposable
{
    private readonly StreamTerminations _terminations;
    private readonly IReadOnlyList<string> _names;
    private readonly CancellationTokenSource? _linked;

    internal StreamWatch(StreamTerminations terminations, IReadOnlyList<string> names, CancellationTokenSource? linked, CancellationToken token)
    {
        _terminations = terminations;
        _names = names;
        Token = token;
        _linked = linked;
    }

    public CancellationToken Token { get; }

    /// <summary>Why <see cref="Token"/> was cancelled; null while it was not.</summary>
    public StreamEnding? Ending => Token.IsCancellationRequested ? _terminations.Reason(_names) : null;

    public void Dispose() => _linked?.Dispose();
}
