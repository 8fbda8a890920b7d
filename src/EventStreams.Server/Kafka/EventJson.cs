using System.Text.Json;

namespace EventStreams.Server.Kafka;

/// <summary>
/// How deep an event may nest, for every reader of events (the encoder, <c>?filter=</c>, keys): an event the encoder
/// accepts must never fail a later reader.
/// </summary>
internal static class EventJson
{
    public const int MaxDepth = 256;

    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth };

    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };
}
