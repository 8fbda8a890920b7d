using EventStreams.Server.Problems;

namespace EventStreams.Server.Streaming;

/// <summary>
/// What a client got wrong in a stream request (or why it cannot be served), named by a problem type of
/// COMPATIBILITY.md; status and title come from the type (<c>Problems/ProblemTypes</c>). HTTP transports answer it as
/// any problem, the hub as its <c>"type: detail"</c>.
/// </summary>
internal sealed class StreamRequestException(string type, string detail) : ApiProblemException(type, detail)
{
    public const string NotFound = ProblemTypes.NotFound;
    public const string InvalidTimestamp = ProblemTypes.InvalidTimestamp;
    public const string InvalidLastEventIdType = ProblemTypes.InvalidLastEventId;
    public const string InvalidFilterType = ProblemTypes.InvalidFilter;
    public const string TopicNotAvailableType = ProblemTypes.TopicNotAvailable;
    public const string ConfigurationErrorType = ProblemTypes.ConfigurationError;
    public const string KafkaUnavailableType = ProblemTypes.KafkaUnavailable;
    public const string HistoryBusyType = ProblemTypes.HistoryBusy;

    public static new StreamRequestException StreamNotFound(IEnumerable<string> streams) =>
        new(NotFound, ProblemTypes.StreamNotFoundDetail(streams));

    public static StreamRequestException InvalidSince(string detail) => new(InvalidTimestamp, detail);

    public static StreamRequestException InvalidLastEventId(string detail) => new(InvalidLastEventIdType, detail);

    public static StreamRequestException InvalidFilter(string detail) => new(InvalidFilterType, detail);

    public static StreamRequestException TopicNotAvailable(string topic) =>
        new(TopicNotAvailableType, $"Topic {topic} is not available in the requested streams.");

    public static StreamRequestException ConfigurationError(string detail) => new(ConfigurationErrorType, detail);

    public static new StreamRequestException KafkaUnavailable(string reason, int? retryAfterSeconds = null) =>
        new(KafkaUnavailableType, ProblemTypes.KafkaUnavailableDetail(reason)) { RetryAfterSeconds = retryAfterSeconds };

    public static StreamRequestException HistoryBusy(int retryAfterSeconds) =>
        new(HistoryBusyType, "Every reader of history is busy; try again shortly, or start later in the stream.") { RetryAfterSeconds = retryAfterSeconds };
}
