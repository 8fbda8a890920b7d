namespace EventStreams.Server.Problems;

/// <summary>
/// An error before the stream starts, with the status and <c>type</c> COMPATIBILITY.md names. The one way to answer with a
/// problem: a route handler throws it (<see cref="ProblemFilter"/> writes it), middleware writes <see cref="ToResult"/>.
/// </summary>
internal class ApiProblemException(int status, string type, string title, string detail) : Exception(detail)
{
    /// <summary>A problem of the <see cref="ProblemTypes"/> table: its status and title come from the type.</summary>
    protected ApiProblemException(string type, string detail)
        : this(ProblemTypes.StatusOf(type), type, ProblemTypes.TitleOf(type), detail)
    {
    }

    public int Status { get; } = status;

    public string Type { get; } = type;

    public string Title { get; } = title;

    public string Detail { get; } = detail;

    /// <summary>When trying again makes sense: the response's <c>Retry-After</c>.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static ApiProblemException StreamNotFound(IEnumerable<string> streams) =>
        ProblemTypes.ToProblem(ProblemTypes.NotFound, ProblemTypes.StreamNotFoundDetail(streams));

    public static ApiProblemException KafkaUnavailable(string reason, int? retryAfterSeconds = null) =>
        ProblemTypes.ToProblem(ProblemTypes.KafkaUnavailable, ProblemTypes.KafkaUnavailableDetail(reason), retryAfterSeconds);

    public static ApiProblemException TooManyRequests(string detail) =>
        new(429, "too_many_requests", "Too Many Requests", detail);

    public static ApiProblemException MissingClientKey(string header) =>
        new(400, "missing_client_key", "Missing Client Key", $"The {header} header is required.");

    public static ApiProblemException RouteNotFound(string path) =>
        new(404, "not_found", "Not Found", $"Nothing is served at {path}.");

    /// <summary>The problem a failure means for the client, or null when it is not the client's to know (a bug).</summary>
    public static ApiProblemException? From(Exception failure) => failure switch
    {
        ApiProblemException problem => problem,
        Confluent.Kafka.KafkaException kafka => KafkaUnavailable(kafka.Error.Reason),
        _ => null,
    };

    public IResult ToResult() => new ProblemResult(this);
}
