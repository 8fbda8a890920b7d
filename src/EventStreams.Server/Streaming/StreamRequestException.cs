namespace EventStreams.Server.Streaming;

/// <summary>
/// What a client got wrong in a stream request (or why it cannot be served), named by a problem
/// <see cref="Type"/> of COMPATIBILITY.md. Carries no HTTP status: each transport maps the type
/// (<c>Api/ProblemTypes</c>) to its own way of saying no.
/// </summary>
public sealed class StreamRequestException(string type, string detail) : Exception(detail)
{
    public const string NotFound = "not_found";
    public const string InvalidTimestamp = "invalid_timestamp";
    public const string InvalidLastEventIdType = "invalid_last_event_id";
    public const string InvalidFilterType = "invalid_filter";
    public const string TopicNotAvailableType = "topic_not_available";
    public const string ConfigurationErrorType = "configuration_error";
    public const string KafkaUnavailableType = "kafka_unavailable";
    public const string HistoryBusyType = "history_busy";

    public string Type { get; } = type;

    public string Detail { get; } = detail;

    /// <summary>When trying again makes sense: the <c>Retry-After</c> of the response.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static StreamRequestException StreamNotFound(IEnumerable<string> streams) =>
        new(NotFound, $"Invalid streams: {string.Join(',', streams)}");

    public static StreamRequestException InvalidSince(string detail) => new(InvalidTimestamp, detail);

    public static StreamRequestException InvalidLastEventId(string detail) => new(InvalidLastEventIdType, detail);

    public static StreamRequestException InvalidFilter(string detail) => new(InvalidFilterType, detail);

    public static StreamRequestException TopicNotAvailable(string topic) =>
        new(TopicNotAvailableType, $"Topic {topic} is not available in the requested streams.");

    public static StreamRequestException ConfigurationError(string detail) => new(ConfigurationErrorType, detail);

    public static StreamRequestException KafkaUnavailable(string reason) => new(KafkaUnavailableType, $"Kafka could not be reached: {reason}");

    public static StreamRequestException HistoryBusy(int retryAfterSeconds) =>
        new(HistoryBusyType, "Every reader of history is busy; try again shortly, or start later in the stream.") { RetryAfterSeconds = retryAfterSeconds };
}
