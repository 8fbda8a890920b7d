using EventStreams.Server.Problems;
using EventStreams.Server.Routes;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace EventStreams.Server.Api;

/// <summary>
/// What every response gets: CORS, security headers, and a JSON problem body for errors that have none (unknown routes).
/// Goes after routing: a <see cref="LongLivedEndpoint"/> (a stream) runs first, with the headers set at once.
/// </summary>
internal static class ApiMiddleware
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseEventStreamsApi(this IApplicationBuilder app)
    {
        // A stream lasts for hours, and each middleware below would keep state of its request for all that time (an async
        // frame each, status-code pages' feature, the headers callback, CORS's items and DI scope): an idle connection's
        // memory (issue 14 item 2). For a stream they add only the headers: its handler writes its own problems, and CORS's
        // answer to a simple GET from any origin is the `*` set here. So a stream's endpoint runs here, after routing,
        // without them (ResponseHeadersTests pins the headers, with and without an Origin).
        app.Use(static (context, next) =>
        {
            if (context.GetEndpoint() is { RequestDelegate: { } run } endpoint && endpoint.Metadata.GetMetadata<LongLivedEndpoint>() is not null)
            {
                SetHeaders(context.Response.Headers);
                return run(context);
            }

            return next(context);
        });
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
        SetHeaders(((HttpResponse)state).Headers);
        return Task.CompletedTask;
    }

    /// <summary>The headers every response gets, unless its handler set them.</summary>
    private static void SetHeaders(IHeaderDictionary headers)
    {
        headers.TryAdd("Access-Control-Allow-Origin", "*");
        headers.TryAdd("X-Content-Type-Options", "nosniff");
        headers.TryAdd("Content-Security-Policy", ContentSecurityPolicy);
        headers.TryAdd("Referrer-Policy", "no-referrer");
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
