using EventStreams.Server.Problems;

namespace EventStreams.Server.Streaming;

/// <summary>
/// What a client got wrong in a stream request (or why it cannot be served), named by a problem
/// <see cref="Type"/> of COMPATIBILITY.md. Carries no HTTP status: each transport maps the type
/// (<c>Problems/ProblemTypes</c>) to its own way of saying no.
/// </summary>
public sealed class StreamRequestException(string type, string detail) : Exception(detail)
{
    public const string NotFound = ProblemTypes.NotFound;
    public const string InvalidTimestamp = ProblemTypes.InvalidTimestamp;
    public const string InvalidLastEventIdType = ProblemTypes.InvalidLastEventId;
    public const string InvalidFilterType = ProblemTypes.InvalidFilter;
    public const string TopicNotAvailableType = ProblemTypes.TopicNotAvailable;
    public const string ConfigurationErrorType = ProblemTypes.ConfigurationError;
    public const string KafkaUnavailableType = ProblemTypes.KafkaUnavailable;
    public const string HistoryBusyType = ProblemTypes.HistoryBusy;

    public string Type { get; } = type;

    public string Detail { get; } = detail;

    /// <summary>When trying again makes sense: the <c>Retry-After</c> of the response.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static StreamRequestException StreamNotFound(IEnumerable<string> streams) =>
        new(NotFound, ProblemTypes.StreamNotFoundDetail(streams));

    public static StreamRequestException InvalidSince(string detail) => new(InvalidTimestamp, detail);

    public static StreamRequestException InvalidLastEventId(string detail) => new(InvalidLastEventIdType, detail);

    public static StreamRequestException InvalidFilter(string detail) => new(InvalidFilterType, detail);

    public static StreamRequestException TopicNotAvailable(string topic) =>
        new(TopicNotAvailableType, $"Topic {topic} is not available in the requested streams.");

    public static StreamRequestException ConfigurationError(string detail) => new(ConfigurationErrorType, detail);

    public static StreamRequestException KafkaUnavailable(string reason) => new(KafkaUnavailableType, ProblemTypes.KafkaUnavailableDetail(reason));

    public static StreamRequestException HistoryBusy(int retryAfterSeconds) =>
        new(HistoryBusyType, "Every reader of history is busy; try again shortly, or start later in the stream.") { RetryAfterSeconds = retryAfterSeconds };

    /// <summary>The problem a failure to open a stream means for the client, or null when it is not the client's to know (a bug).</summary>
    public static ApiProblemException? ToProblem(Exception failure) => failure switch
    {
        ApiProblemException problem => problem,
        StreamRequestException refused => refused.ToProblem(),
        Confluent.Kafka.KafkaException kafka => KafkaUnavailable(kafka.Error.Reason).ToProblem(),
        _ => null,
    };

    /// <summary>The HTTP problem for this refusal.</summary>
    public ApiProblemException ToProblem() => ProblemTypes.ToProblem(Type, Detail);
}
