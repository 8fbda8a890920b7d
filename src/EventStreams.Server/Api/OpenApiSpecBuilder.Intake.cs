using System.Net.Mime;
using System.Text.Json.Nodes;
using EventStreams.Server.Catalog;
using EventStreams.Server.Routes;
using Microsoft.OpenApi;

namespace EventStreams.Server.Api;

/// <summary>
/// <c>POST /v1/events</c> and <c>GET /v2/schema/{stream}</c> in the document: the EventGate-compatible intake and the
/// schemas it validates against. Only where the intake is on (direct mode with it enabled).
/// </summary>
internal static partial class OpenApiSpecBuilder
{
    private static OpenApiPathItem IntakeDocumentation(OpenApiDocument document) => new()
    {
        Summary = "Send events (EventGate-compatible)",
        Operations = new Dictionary<HttpMethod, OpenApiOperation>
        {
            [HttpMethod.Post] = new()
            {
                OperationId = "events",
                Summary = "Validate events against their schemas and produce them",
                Description = "One JSON event or an array, as `application/json` or `text/plain` (what `navigator.sendBeacon` sends). " +
                    "Each event's `$schema` is looked up in `Schemas:BaseUris` and validated (JSON Schema draft-07); `meta.stream` must be a declared stream " +
                    "whose `schema_title` is the schema's `title`; `meta.id` and `meta.dt` are filled in when missing. Valid events go to the stream's first topic, " +
                    "invalid ones produce an error event to `<destination_event_service>.error.validation`. " +
                    "Failure entries are `{\"status\", \"event\", \"context\": {\"message\", \"errors\": [{\"keyword\", \"dataPath\", \"instancePath\", \"schemaPath\", \"message\"}], \"errorsText\"}}`.",
                Parameters =
                [
                    new OpenApiParameter
                    {
                        Name = "hasty",
                        In = ParameterLocation.Query,
                        Description = "Any value but `false`, `0` or empty: answer 202 at once, validate and produce afterwards.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    },
                ],
                RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "One event (a JSON object) or an array of events.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        [MediaTypeNames.Application.Json] = new() { Schema = EventsBodySchema() },
                        [MediaTypeNames.Text.Plain] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The same JSON, sent as text (beacons)." } },
                    },
                },
                Responses = new OpenApiResponses
                {
                    ["202"] = new OpenApiResponse { Description = "`?hasty=true`: taken; validated and produced afterwards." },
                    ["204"] = new OpenApiResponse { Description = "Every event was valid and produced." },
                    ["207"] = FailuresResponse("Some events were accepted; the others are listed: `{\"invalid\": [...], \"error\": [...]}`."),
                    ["400"] = FailuresResponse("Every event was invalid (`{\"invalid\": [...]}`), or the body was empty (`empty_body`) or not JSON (`invalid_json`, a problem body), or not valid for its `Content-Encoding` (`invalid_content_encoding`)."),
                    ["413"] = ProblemResponse(document, "`payload_too_large` (`Intake:MaxBodyBytes`, of the body as inflated) or `too_many_events` (`Intake:MaxEventsPerRequest`)."),
                    ["415"] = ProblemResponse(document, "`unsupported_media_type`: neither JSON nor `text/plain`; `unsupported_content_encoding`: neither `gzip`, `deflate` nor `identity`."),
                    ["500"] = FailuresResponse("No event was accepted and producing failed for some: `{\"invalid\": [...], \"error\": [...]}`."),
                },
            },
        },
    };

    private static OpenApiPathItem SchemaDocumentation(OpenApiDocument document, List<StreamDefinition> streams) => new()
    {
        Summary = "A stream's latest schema",
        Operations = new Dictionary<HttpMethod, OpenApiOperation>
        {
            [HttpMethod.Get] = new()
            {
                OperationId = "schema",
                Summary = "A stream's latest schema",
                Description = "The stream's latest schema (`/<schema_title>/latest` in `Schemas:BaseUris`) as JSON, with its `examples`.",
                Parameters =
                [
                    new OpenApiParameter
                    {
                        Name = "stream",
                        In = ParameterLocation.Path,
                        Required = true,
                        Description = "A declared stream name (not an alias).",
                        Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.String,
                            Enum = [.. streams.Where(s => s.AliasOf is null).Select(s => (JsonNode)JsonValue.Create(s.Name))],
                        },
                    },
                ],
                Responses = new OpenApiResponses
                {
                    ["200"] = new OpenApiResponse
                    {
                        Description = "The JSON Schema document.",
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            [MediaTypeNames.Application.Json] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
                        },
                    },
                    ["400"] = ProblemResponse(document, "`not_found`: not a declared stream."),
                    ["404"] = ProblemResponse(document, "`schema_not_found`: the stream has no `schema_title`, or no schema was found for it."),
                },
            },
        },
    };

    private static OpenApiSchema EventsBodySchema() => new()
    {
        OneOf =
        [
            new OpenApiSchema { Type = JsonSchemaType.Object, Description = "One event, with `$schema` and `meta.stream`." },
            new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.Object } },
        ],
    };

    private static OpenApiResponse FailuresResponse(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [MediaTypeNames.Application.Json] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
        },
    };

    private static OpenApiResponse ProblemResponse(OpenApiDocument document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [MediaTypeNames.Application.Json] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
        },
    };

    private static void AddIntake(OpenApiDocument document, List<StreamDefinition> streams)
    {
        document.Paths.Add(ApiRoutes.Intake, IntakeDocumentation(document));
        document.Paths.Add(ApiRoutes.Schema, SchemaDocumentation(document, streams));
    }
}
