using EventStreams.Server.Problems;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace EventStreams.Server.Api;

/// <summary>What every response gets: CORS, security headers, and a JSON problem body for errors that have none (unknown routes).</summary>
internal static class ApiMiddleware
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseEventStreamsApi(this IApplicationBuilder app)
    {
        app.UseStatusCodePages(WriteProblemAsync);
        app.Use(static (context, next) =>
        {
            // The stream endpoint writes its own headers and then streams for hours: add ours as the response starts, whoever starts it.
            context.Response.OnStarting(AddHeaders, context.Response);
            return next(context);
        });
        // Only requests with an Origin can need CORS. The middleware would take its policy provider from the request's services,
        // giving every stream a DI scope for its whole life (idle connections' memory), only to find no Origin.
        app.UseWhen(static context => context.Request.Headers.ContainsKey(HeaderNames.Origin), static cors => cors.UseCors());
        return app;
    }

    private static Task AddHeaders(object state)
    {
        var headers = ((HttpResponse)state).Headers;
        headers.TryAdd("Access-Control-Allow-Origin", "*");
        headers.TryAdd("X-Content-Type-Options", "nosniff");
        headers.TryAdd("Content-Security-Policy", ContentSecurityPolicy);
        headers.TryAdd("Referrer-Policy", "no-referrer");
        return Task.CompletedTask;
    }

    private static Task WriteProblemAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        var problem = status == StatusCodes.Status404NotFound
            ? ApiProblemException.RouteNotFound(http.Request.Path)
            : FromStatus(status, http.Request);
        return problem.ToResult().ExecuteAsync(http);
    }

    private static ApiProblemException FromStatus(int status, HttpRequest request)
    {
        var title = ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
        var type = title.ToLowerInvariant().Replace(' ', '_').Replace("-", "", StringComparison.Ordinal);
        return new ApiProblemException(status, type, title, $"{request.Method} {request.Path}: {title}.");
    }
}
