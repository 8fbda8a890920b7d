namespace EventStreams.Server.Catalog;

/// <summary>The stream config could not be read or makes no sense; the message names the source and the problem.</summary>
internal sealed class StreamConfigException : Exception
{
    public StreamConfigException(string message) : base(message) { }

    public StreamConfigException(string message, Exception inner) : base(message, inner) { }

    public StreamConfigException() { }
}
