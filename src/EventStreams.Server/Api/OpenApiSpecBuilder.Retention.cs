using System.Net.Mime;
using EventStreams.Server.Catalog;
using EventStreams.Server.Routes;
using Microsoft.OpenApi;

namespace EventStreams.Server.Api;

/// <summary><c>GET /v2/retention/{streams}</c> in the document: how far back each stream's data goes.</summary>
internal static partial class OpenApiSpecBuilder
{
    private static OpenApiPathItem RetentionDocumentation(OpenApiDocument document, List<StreamDefinition> streams) => new()
    {
        Summary = "How far back each stream's data goes",
        Operations = new Dictionary<HttpMethod, OpenApiOperation>
        {
            [HttpMethod.Get] = new()
            {
                OperationId = "retention",
                Summary = "How far back each stream's data goes",
                Description = "Per topic-partition the low and high watermarks (`low`, `high`: the next event gets offset `high`) and the time of the oldest retained event " +
                    "(`oldest_timestamp`, epoch milliseconds, null when the partition is empty), and the oldest per stream (`oldest_timestamp`, `oldest` as ISO 8601 UTC). " +
                    "Answers are cached for a few seconds. With `at`, each partition also gets `at_offset`: where `since` would start it. " +
                    "With `last=N`, also `last`: `{\"requested\", \"events\", \"start\"}`, where `start` is the offset-form " +
                    "Last-Event-ID from which the streams give exactly their last N events (counted in events, not offsets; N split evenly over the partitions).",
                Parameters =
                [
                    StreamsParameter(streams),
                    new OpenApiParameter
                    {
                        Name = "at",
                        In = ParameterLocation.Query,
                        Description = "Also give each partition's `at_offset`: the first offset whose event is at or after this time (epoch milliseconds or an ISO-8601 date-time), `high` when none. Not cached.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    },
                    new OpenApiParameter
                    {
                        Name = "last",
                        In = ParameterLocation.Query,
                        Description = "Also answer where the last N events begin (1 to 1,000,000).",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = "1000000" },
                    },
                ],
                Responses = new OpenApiResponses
                {
                    ["200"] = new OpenApiResponse
                    {
                        Description = "`{\"streams\": [{\"stream\", \"oldest_timestamp\", \"oldest\", \"partitions\": [{\"topic\", \"partition\", \"low\", \"high\", \"oldest_timestamp\"}]}]}`, in request order.",
                        Content = new Dictionary<string, OpenApiMediaType>
                        {
                            [MediaTypeNames.Application.Json] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
                        },
                    },
                    ["400"] = new OpenApiResponseReference("BadRequest", document),
                    ["503"] = new OpenApiResponseReference("KafkaUnavailable", document),
                },
            },
        },
    };

    private static void AddRetention(OpenApiDocument document, List<StreamDefinition> streams) =>
        document.Paths.Add(ApiRoutes.Retention, RetentionDocumentation(document, streams));
}
