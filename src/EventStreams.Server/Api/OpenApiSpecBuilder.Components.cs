using System.Net.Mime;
using Microsoft.OpenApi;

namespace EventStreams.Server.Api;

/// <summary>The parameters, responses and schemas that the stream operations share by reference.</summary>
internal static partial class OpenApiSpecBuilder
{
    private const string ProblemSchema = "Problem";
    private const string EventStreamMediaType = "text/event-stream";
    private static readonly string[] SharedParameterIds = ["since", "Last-Event-ID", "last_event_id", "filter"];

    private static readonly (string Status, string Name, string Description)[] Problems =
    [
        ("400", "BadRequest", "`not_found` (unknown stream), `invalid_timestamp` (`since`), `invalid_last_event_id`, a malformed `filter`, or `missing_client_key`."),
        ("404", "TopicNotAvailable", "`topic_not_available`: `Last-Event-ID` names a topic outside the requested streams."),
        ("429", "TooManyRequests", "`too_many_requests`: too many connections from this client."),
        ("500", "ConfigurationError", "`configuration_error`: none of the stream's topics exists in Kafka."),
        ("503", "KafkaUnavailable", "`kafka_unavailable`: Kafka could not be reached."),
    ];

    private static OpenApiComponents BuildComponents(OpenApiDocument document)
    {
        var components = new OpenApiComponents
        {
            Schemas = new Dictionary<string, IOpenApiSchema> { [ProblemSchema] = ProblemBodySchema() },
            Parameters = new Dictionary<string, IOpenApiParameter>
            {
                ["since"] = new OpenApiParameter
                {
                    Name = "since",
                    In = ParameterLocation.Query,
                    Description = "Start at the first event at or after this time: epoch milliseconds or an ISO-8601 date-time. Ignored for partitions that `Last-Event-ID` positions.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                },
                ["Last-Event-ID"] = new OpenApiParameter
                {
                    Name = "Last-Event-ID",
                    In = ParameterLocation.Header,
                    Description = "The `id` of the last event received: a JSON array of `{topic, partition, offset|timestamp}` (or topic names). Resumes every partition it lists.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                },
                ["last_event_id"] = new OpenApiParameter
                {
                    Name = "last_event_id",
                    In = ParameterLocation.Query,
                    Description = "The same as the `Last-Event-ID` header, for browsers' EventSource, which cannot set headers on its first request. The header wins when both are present.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                },
                ["filter"] = new OpenApiParameter
                {
                    Name = "filter",
                    In = ParameterLocation.Query,
                    Style = ParameterStyle.Form,
                    Explode = true,
                    Description = "Opt-in server-side filtering: `path=value` keeps events whose JSON field at the dot-separated path equals the value, `path!=value` drops them. Repeat to combine. Without it, every event is sent.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
            },
            Responses = Problems.ToDictionary(p => p.Name, p => (IOpenApiResponse)new OpenApiResponse
            {
                Description = p.Description,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [MediaTypeNames.Application.Json] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, document) },
                },
            }),
        };
        return components;
    }

    private static IEnumerable<IOpenApiParameter> SharedParameters(OpenApiDocument document) =>
        SharedParameterIds.Select(id => new OpenApiParameterReference(id, document));

    private static OpenApiResponses StreamResponses(OpenApiDocument document, string description)
    {
        var responses = new OpenApiResponses
        {
            ["200"] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [EventStreamMediaType] = new()
                    {
                        Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.String,
                            Description = "`:ok`, then `event: message` / `id: [...]` / `data: {json}` blocks; comment lines as heartbeats.",
                        },
                    },
                    [MediaTypeNames.Application.Json] = new()
                    {
                        Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Description = "Newline-delimited JSON: one event object per line (with `meta.topic`, `meta.partition`, `meta.offset`).",
                        },
                    },
                },
            },
        };
        foreach (var (status, name, _) in Problems)
        {
            responses[status] = new OpenApiResponseReference(name, document);
        }

        return responses;
    }

    private static OpenApiSchema ProblemBodySchema()
    {
        var text = new OpenApiSchema { Type = JsonSchemaType.String };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An error before the stream starts.",
            Required = new HashSet<string> { "status", "type", "title", "detail", "method", "uri" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "e.g. `not_found`, `invalid_timestamp`, `invalid_last_event_id`." },
                ["title"] = text,
                ["detail"] = text,
                ["method"] = text,
                ["uri"] = text,
            },
        };
    }
}
