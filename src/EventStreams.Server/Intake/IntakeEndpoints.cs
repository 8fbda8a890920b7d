using System.Text.Json;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Problems;
using EventStreams.Server.Routes;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace EventStreams.Server.Intake;

/// <summary>
/// <c>POST /v1/events</c>, EventGate's route: one JSON event or an array, as <c>application/json</c> or <c>text/plain</c>
/// (what <c>navigator.sendBeacon</c> sends a string as). <c>?hasty=true</c> answers 202 at once and works on in the background.
/// </summary>
internal static partial class IntakeEndpoints
{
    public static IEndpointRouteBuilder MapIntakeApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(ApiRoutes.Intake, PostEventsAsync);
        return endpoints;
    }

    /// <summary>
    /// Counts each request by the status it got (a problem's, which the endpoint's <see cref="ProblemFilter"/> writes); one
    /// that ended in another exception as 500 (499 when the client went away).
    /// </summary>
    private static async Task PostEventsAsync(
        HttpContext context,
        IntakeMetrics metrics,
        IOptions<IntakeOptions> options,
        IntakeStreams streams,
        EventIntake intake,
        HastySlots slots,
        IHostApplicationLifetime lifetime,
        ILogger<EventIntake> logger)
    {
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await HandleAsync(context, options.Value, streams, intake, slots, logger, lifetime.ApplicationStopping);
            status = context.Response.StatusCode;
        }
        catch (ApiProblemException problem)
        {
            status = problem.Status;
            throw;
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            status = StatusCodes.Status499ClientClosedRequest;
            throw;
        }
        finally
        {
            metrics.Request(status);
        }
    }

    private static async Task HandleAsync(
        HttpContext context, IntakeOptions options, IntakeStreams streams, EventIntake intake, HastySlots slots, ILogger logger, CancellationToken stopping)
    {
        var request = context.Request;
        JsonDocument? document = null;
        try
        {
            if (!streams.IsOn)
            {
                throw IntakeProblems.Disabled();
            }

            if (!IsAcceptedContentType(request.ContentType))
            {
                throw IntakeProblems.UnsupportedMediaType(request.ContentType);
            }

            var body = await IntakeBody.ReadAsync(request, options.MaxBodyBytes, context.RequestAborted);
            document = Parse(body, options.MaxDepth);
            var root = document.RootElement;
            var count = root.ValueKind == JsonValueKind.Array ? root.GetArrayLength() : 1;
            if (count == 0)
            {
                throw IntakeProblems.EmptyBody();
            }

            if (count > options.MaxEventsPerRequest)
            {
                throw IntakeProblems.TooManyEvents(count, options.MaxEventsPerRequest);
            }

            if (IsHasty(request))
            {
                // EventGate's hasty mode: answer now, validate and produce after; the document now belongs to the background
                // work. A slot first: when Intake:MaxHastyBatches are being worked on, the answer waits for one to finish.
                await slots.EnterAsync(context.RequestAborted);
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                var owned = document;
                document = null;
                _ = Task.Run(() => ProcessHastyAsync(intake, slots, owned, logger, stopping), CancellationToken.None);
                return;
            }

            var result = await intake.ProcessAsync(root, wait: true, context.RequestAborted);
            await IntakeResponse.WriteAsync(context.Response, result, context.RequestAborted);
        }
        finally
        {
            document?.Dispose();
        }
    }

    private static async Task ProcessHastyAsync(EventIntake intake, HastySlots slots, JsonDocument document, ILogger logger, CancellationToken stopping)
    {
        using (slots.Leave())
        using (document)
        {
            try
            {
                await intake.ProcessAsync(document.RootElement, wait: false, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Shutting down: what was not produced yet is dropped, as a hasty client agreed to.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogHastyFailed(logger, e);
            }
        }
    }

    private static JsonDocument Parse(byte[] body, int maxDepth)
    {
        ReadOnlyMemory<byte> json = body;
        if (json.Span.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        if (json.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw IntakeProblems.EmptyBody();
        }

        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            // Not JSON, or JSON with a duplicate key: below.
        }

        JsonDocument withDuplicates;
        try
        {
            withDuplicates = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth });
        }
        catch (JsonException e)
        {
            throw IntakeProblems.InvalidJson(e.Message);
        }

        // A duplicate key is read as JSON.parse (EventGate) reads it, the last value, and the body is from then on that:
        // what is validated is what is produced.
        using (withDuplicates)
        {
            return JsonDocument.Parse(EventRewriter.WithoutDuplicateKeys(withDuplicates.RootElement), new JsonDocumentOptions { MaxDepth = maxDepth });
        }
    }

    /// <summary>JSON, or text/plain (beacons), or none given; anything else is refused rather than guessed at.</summary>
    private static bool IsAcceptedContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return true;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }

        var type = media.MediaType.Value ?? "";
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>EventGate takes any value of <c>hasty</c> as yes; <c>false</c>, <c>0</c> and empty are read as no here.</summary>
    private static bool IsHasty(HttpRequest request) =>
        request.Query.TryGetValue("hasty", out var values) && values.ToString() is var value && value.Length > 0
        && !value.Equals("false", StringComparison.OrdinalIgnoreCase) && value != "0";

    [LoggerMessage(LogEventIds.IntakeHastyRequestFailed, LogLevel.Error, "Intake: a hasty request's events could not be processed")]
    private static partial void LogHastyFailed(ILogger logger, Exception exception);
}
