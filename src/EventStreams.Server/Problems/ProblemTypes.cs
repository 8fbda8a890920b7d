namespace EventStreams.Server.Problems;

/// <summary>
/// The one table from a problem <c>type</c> (COMPATIBILITY.md) to its HTTP status and title, and the one way a hub
/// error names a problem (<c>"type: detail"</c>). A leaf: every folder may use it, it uses none.
/// </summary>
internal static class ProblemTypes
{
    public const string NotFound = "not_found";
    public const string InvalidTimestamp = "invalid_timestamp";
    public const string InvalidLastEventId = "invalid_last_event_id";
    public const string InvalidFilter = "invalid_filter";
    public const string TopicNotAvailable = "topic_not_available";
    public const string ConfigurationError = "configuration_error";
    public const string KafkaUnavailable = "kafka_unavailable";
    public const string HistoryBusy = "history_busy";

    private static readonly Dictionary<string, (int Status, string Title)> ByType = new(StringComparer.Ordinal)
    {
        [NotFound] = (400, "Stream Not Found"),
        [InvalidTimestamp] = (400, "Invalid Timestamp"),
        [InvalidLastEventId] = (400, "Invalid Last-Event-ID"),
        [InvalidFilter] = (400, "Invalid Filter"),
        [TopicNotAvailable] = (404, "Topic Not Available"),
        [ConfigurationError] = (500, "Configuration Error"),
        [KafkaUnavailable] = (503, "Kafka Unavailable"),
        [HistoryBusy] = (503, "History Busy"),
    };

    /// <summary>The HTTP problem for a problem <paramref name="type"/> of the table (others: 400 Bad Request).</summary>
    public static ApiProblemException ToProblem(string type, string detail, int? retryAfterSeconds = null) =>
        new(StatusOf(type), type, TitleOf(type), detail) { RetryAfterSeconds = retryAfterSeconds };

    public static int StatusOf(string type) => ByType.TryGetValue(type, out var known) ? known.Status : 400;

    public static string TitleOf(string type) => ByType.TryGetValue(type, out var known) ? known.Title : "Bad Request";

    /// <summary>The detail of a <see cref="NotFound"/> problem.</summary>
    public static string StreamNotFoundDetail(IEnumerable<string> streams) => $"Invalid streams: {string.Join(',', streams)}";

    /// <summary>The detail of a <see cref="KafkaUnavailable"/> problem.</summary>
    public static string KafkaUnavailableDetail(string reason) => $"Kafka could not be reached: {reason}";

    /// <summary>The message of the <c>HubException</c> that tells a SignalR client the same.</summary>
    public static string ToHubMessage(ApiProblemException problem) => $"{problem.Type}: {problem.Detail}";
}
