using System.Globalization;

namespace EventStreams.Server.Problems;

/// <summary>A problem on HTTP: its status, <c>Retry-After</c> when it has one, and the JSON body naming the request.</summary>
internal sealed class ProblemResult(ApiProblemException problem) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => problem.Status;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        if (problem.RetryAfterSeconds is { } retryAfter)
        {
            httpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        var request = httpContext.Request;
        return Results.Json(
            new ProblemBody(problem.Status, problem.Type, problem.Title, problem.Detail, request.Method, request.PathBase + request.Path + request.QueryString),
            ProblemJsonContext.Default.ProblemBody,
            contentType: "application/json",
            statusCode: problem.Status).ExecuteAsync(httpContext);
    }
}
