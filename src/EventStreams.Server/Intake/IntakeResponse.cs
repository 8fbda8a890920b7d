using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace EventStreams.Server.Intake;

/// <summary>
/// Writes EventGate's answer: the status, its message as the reason phrase, and for failures
/// <c>{"invalid": [...], "error": [...]}</c> (400: <c>invalid</c> only), each entry
/// <c>{"status", "event", "context": {"message", "errors", "errorsText"}}</c>.
/// </summary>
internal static class IntakeResponse
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpResponse response, IntakeResult result, CancellationToken cancellationToken)
    {
        response.StatusCode = result.Status;
        if (response.HttpContext.Features.Get<IHttpResponseFeature>() is { } feature)
        {
            feature.ReasonPhrase = result.Summary;
        }

        if (result.Status == StatusCodes.Status204NoContent)
        {
            return;
        }

        response.ContentType = "application/json; charset=utf-8";
        await using (var writer = new Utf8JsonWriter(response.BodyWriter, Options))
        {
            writer.WriteStartObject();
            WriteList(writer, "invalid", result.Invalid);
            if (result.Status != StatusCodes.Status400BadRequest)
            {
                WriteList(writer, "error", result.Errors);
            }

            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(cancellationToken);
    }

    private static void WriteList(Utf8JsonWriter writer, string name, IReadOnlyList<EventFailure> failures)
    {
        writer.WriteStartArray(name);
        foreach (var failure in failures)
        {
            writer.WriteStartObject();
            writer.WriteString("status", failure.Status);
            writer.WritePropertyName("event");
            failure.Event.WriteTo(writer);
            writer.WriteStartObject("context");
            writer.WriteString("message", failure.Message);
            if (failure.Status == EventFailure.Invalid)
            {
                writer.WriteStartArray("errors");
                foreach (var error in failure.Errors)
                {
                    writer.WriteStartObject();
                    writer.WriteString("keyword", error.Keyword);
                    writer.WriteString("dataPath", error.DataPath);
                    writer.WriteString("instancePath", error.InstancePath);
                    writer.WriteString("schemaPath", error.SchemaPath);
                    writer.WriteString("message", error.Message);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteString("errorsText", failure.ErrorsText);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
