namespace EventStreams.Fleet;

/// <summary>While open, clients record their longest silence (e.g. during a rolling restart).</summary>
public sealed class SilenceWindow
{
    private volatile bool _open;

    public bool IsOpen => _open;

    public void Open() => _open = true;

    public void Close() => _open = false;
}
