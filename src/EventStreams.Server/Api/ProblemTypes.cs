using EventStreams.Server.Streaming;

namespace EventStreams.Server.Api;

/// <summary>
/// The one table from a problem <c>type</c> (COMPATIBILITY.md) to its HTTP status and title, and the one way a hub
/// error names a problem (<c>"type: detail"</c>).
/// </summary>
public static class ProblemTypes
{
    private static readonly Dictionary<string, (int Status, string Title)> ByType = new(StringComparer.Ordinal)
    {
        [StreamRequestException.NotFound] = (400, "Stream Not Found"),
        [StreamRequestException.InvalidTimestamp] = (400, "Invalid Timestamp"),
        [StreamRequestException.InvalidLastEventIdType] = (400, "Invalid Last-Event-ID"),
        [StreamRequestException.InvalidFilterType] = (400, "Invalid Filter"),
        [StreamRequestException.TopicNotAvailableType] = (404, "Topic Not Available"),
        [StreamRequestException.ConfigurationErrorType] = (500, "Configuration Error"),
        [StreamRequestException.KafkaUnavailableType] = (503, "Kafka Unavailable"),
        [StreamRequestException.HistoryBusyType] = (503, "History Busy"),
    };

    /// <summary>The problem a failure to open a stream means for the client, or null when it is not the client's to know (a bug).</summary>
    public static ApiProblemException? ToProblem(Exception failure) => failure switch
    {
        ApiProblemException problem => problem,
        StreamRequestException refused => ToProblem(refused),
        Confluent.Kafka.KafkaException kafka => ToProblem(StreamRequestException.KafkaUnavailable(kafka.Error.Reason)),
        _ => null,
    };

    /// <summary>The HTTP problem for a stream request the streaming layer refused.</summary>
    public static ApiProblemException ToProblem(StreamRequestException refused)
    {
        var (status, title) = ByType.TryGetValue(refused.Type, out var known) ? known : (400, "Bad Request");
        return new ApiProblemException(status, refused.Type, title, refused.Detail);
    }

    /// <summary>The message of the <c>HubException</c> that tells a SignalR client the same.</summary>
    public static string ToHubMessage(ApiProblemException problem) => $"{problem.Type}: {problem.Detail}";
}
