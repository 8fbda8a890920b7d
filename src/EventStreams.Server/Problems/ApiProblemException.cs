namespace EventStreams.Server.Problems;

/// <summary>An error before the stream starts, with the status and <c>type</c> COMPATIBILITY.md names.</summary>
public sealed class ApiProblemException(int status, string type, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Type { get; } = type;

    public string Title { get; } = title;

    public string Detail { get; } = detail;

    public static ApiProblemException StreamNotFound(IEnumerable<string> streams) =>
        ProblemTypes.ToProblem(ProblemTypes.NotFound, ProblemTypes.StreamNotFoundDetail(streams));

    public static ApiProblemException KafkaUnavailable(string reason) =>
        ProblemTypes.ToProblem(ProblemTypes.KafkaUnavailable, ProblemTypes.KafkaUnavailableDetail(reason));

    public static ApiProblemException TooManyRequests(string detail) =>
        new(429, "too_many_requests", "Too Many Requests", detail);

    public static ApiProblemException MissingClientKey(string header) =>
        new(400, "missing_client_key", "Missing Client Key", $"The {header} header is required.");

    public static ApiProblemException RouteNotFound(string path) =>
        new(404, "not_found", "Not Found", $"Nothing is served at {path}.");

    public IResult ToResult(HttpRequest request) => Results.Json(
        new ProblemBody(Status, Type, Title, Detail, request.Method, request.PathBase + request.Path + request.QueryString),
        ProblemJsonContext.Default.ProblemBody,
        contentType: "application/json",
        statusCode: Status);
}
