using System.Runtime.InteropServices;
using System.Text.Json;
using EventStreams.Server.Catalog;
using Json.Schema;

namespace EventStreams.Server.Intake;

/// <summary>
/// Validates one event as EventGate (Wikimedia) does: its <c>meta.stream</c> must be a declared stream this intake
/// accepts, the schema its <c>$schema</c> names must have the stream's <c>schema_title</c> as its <c>title</c>, and the
/// event must be valid against that schema (draft-07, formats checked). <c>meta.dt</c>, <c>meta.id</c> and the schema's
/// <c>default</c>s are filled in first when missing, as EventGate does, and the event is validated and produced with them.
/// </summary>
internal sealed class EventValidator(SchemaRepository schemas, IntakeStreams streams, TimeProvider time)
{
    /// <summary>
    /// Valid or not, stopping at the first failure: cheaper than collecting every error, and asked only when the schema's
    /// fast twin (<see cref="FastSchema"/>) cannot say the event is valid for sure.
    /// </summary>
    private static readonly EvaluationOptions Check = new() { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true };

    /// <summary>Every error with its location, for an event already known to be invalid.</summary>
    private static readonly EvaluationOptions Explain = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    public async ValueTask<ValidatedEvent> ValidateAsync(JsonElement e, CancellationToken cancellationToken)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return Invalid(e, null, null, "type", "", "must be a JSON object");
        }

        var schemaUri = e.TryGetProperty("$schema", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : null;
        var meta = e.TryGetProperty("meta", out var m) && m.ValueKind == JsonValueKind.Object ? m : (JsonElement?)null;
        var streamName = meta is { } mm && mm.TryGetProperty("stream", out var st) && st.ValueKind == JsonValueKind.String ? st.GetString()! : null;
        if (schemaUri is null)
        {
            return Invalid(e, streamName, null, "required", ".$schema", "is a required property (the URI of the event's schema)");
        }

        if (streamName is null)
        {
            return Invalid(e, null, schemaUri, "required", ".meta.stream", "is a required property (the stream the event is for)");
        }

        if (streams.Find(streamName) is not { } stream)
        {
            return Invalid(e, streamName, schemaUri, "stream", ".meta.stream", $"is not allowed: {streamName} is not a configured stream");
        }

        if (!streams.Accepts(stream))
        {
            return Invalid(e, streamName, schemaUri, "stream", ".meta.stream", $"is not allowed: {streamName} is produced by {IntakeStreams.DestinationOf(stream) ?? "another event service"}, not by this intake");
        }

        LoadedSchema schema;
        try
        {
            schema = await schemas.GetAsync(schemaUri, cancellationToken);
        }
        catch (SchemaNotFoundException x)
        {
            return Invalid(e, streamName, schemaUri, "$schema", ".$schema", x.Message);
        }

        if (stream.SchemaTitle is null)
        {
            return Invalid(e, streamName, schemaUri, "schema_title", ".$schema", $"is not allowed in stream {streamName}: the stream has no schema_title");
        }

        if (!string.Equals(schema.Title, stream.SchemaTitle, StringComparison.Ordinal))
        {
            return Invalid(e, streamName, schemaUri, "schema_title", ".$schema",
                $"is not allowed in stream {streamName}: its schema's title is {schema.Title ?? "missing"}, the stream's schema title must be {stream.SchemaTitle}");
        }

        // What is validated is what is produced: the event with meta.id, meta.dt and the schema's defaults filled in.
        var needDt = !meta!.Value.TryGetProperty("dt", out _);
        var needId = !meta.Value.TryGetProperty("id", out _);
        var rewrite = needDt || needId || schema.Defaults is not null;
        var value = rewrite ? EventRewriter.Complete(e, schema.Defaults, needId ? Guid.CreateVersion7(time.GetUtcNow()) : null, needDt ? time.GetUtcNow() : null)
            : JsonMarshal.GetRawUtf8Value(e).ToArray();
        using var filled = rewrite ? JsonDocument.Parse(value) : null;
        var validated = filled?.RootElement ?? e;
        if (schema.Fast?.IsSurelyValid(validated) == true || schema.Schema.Evaluate(validated, Check).IsValid)
        {
            return new ValidatedEvent(stream, value, null);
        }

        var results = schema.Schema.Evaluate(validated, Explain);
        var errors = ValidationMessages.From(results, validated, schema.Document);
        return new ValidatedEvent(stream, null, new EventFailure(EventFailure.Invalid, e.Clone(), "Event failed schema validation", errors, streamName, schemaUri));
    }

    private static ValidatedEvent Invalid(JsonElement e, string? stream, string? schemaUri, string keyword, string dataPath, string message)
    {
        var error = new ValidationMessage(keyword, dataPath, ValidationMessages.ToPointer(dataPath), "", message);
        return new ValidatedEvent(null, null, new EventFailure(EventFailure.Invalid, e.Clone(), "Event failed validation", [error], stream, schemaUri));
    }
}
