using System.Text.Json.Nodes;
using EventStreams.Server.Catalog;
using EventStreams.Server.Routes;
using Microsoft.OpenApi;

namespace EventStreams.Server.Api;

/// <summary>
/// Builds the OpenAPI 3 document served at <c>/?spec</c> from one catalogue snapshot: the stream route, whose
/// <c>{streams}</c> enum lists every name and alias, and one documentation path per stream carrying an
/// <c>x-eventstreams</c> extension that the web UI reads its catalogue from.
/// </summary>
internal static partial class OpenApiSpecBuilder
{
    public const string CatalogueExtension = "x-eventstreams";

    /// <param name="intake">Whether the intake runs here: then <c>POST /v1/events</c> and <c>GET /v2/schema/{stream}</c> are documented too.</param>
    public static OpenApiDocument Build(StreamCatalogSnapshot catalog, ServiceInfo info, bool intake)
    {
        var streams = catalog.Ordered.ToList();
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo { Title = "EventStreams", Version = info.Version, Description = info.Description },
            Paths = [],
        };
        document.Components = BuildComponents(document);

        document.Paths.Add(ApiRoutes.Stream, new OpenApiPathItem
        {
            Summary = "Subscribe to one or more streams",
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = "stream",
                    Summary = "Subscribe to one or more streams",
                    Description = StreamDescription,
                    Parameters = [StreamsParameter(streams), .. SharedParameters(document)],
                    Responses = StreamResponses(document, "Events of the requested streams."),
                },
            },
        });

        foreach (var stream in streams)
        {
            document.Paths.Add(ApiRoutes.StreamPrefix + stream.Name, StreamDocumentation(document, stream));
        }

        AddRetention(document, streams);
        if (intake)
        {
            AddIntake(document, streams);
        }

        return document;
    }

    private static OpenApiPathItem StreamDocumentation(OpenApiDocument document, StreamDefinition stream)
    {
        var description = stream.Description ?? (stream.AliasOf is { } target ? $"An alias of {target}." : $"The {stream.Name} stream.");
        return new OpenApiPathItem
        {
            Summary = stream.Name,
            Description = description,
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = "stream:" + stream.Name,
                    Summary = stream.Name,
                    Description = stream.SchemaTitle is { } title ? $"{description}\n\nSchema: `{title}`." : description,
                    Parameters = [.. SharedParameters(document)],
                    Responses = StreamResponses(document, stream.SchemaTitle is { } schema ? $"Events of schema {schema}." : "Events of this stream."),
                    Extensions = new Dictionary<string, IOpenApiExtension>
                    {
                        [CatalogueExtension] = new JsonNodeExtension(CatalogueEntry(stream)),
                    },
                },
            },
        };
    }

    /// <summary>The web UI's view of one stream; keep this shape stable.</summary>
    private static JsonObject CatalogueEntry(StreamDefinition stream) => new()
    {
        ["stream"] = stream.Name,
        ["alias_of"] = stream.AliasOf,
        ["description"] = stream.Description,
        ["schema_title"] = stream.SchemaTitle,
        ["topics"] = new JsonArray([.. stream.Topics.Select(t => (JsonNode)JsonValue.Create(t))]),
        ["error_validation"] = stream.IsErrorValidation,
        ["destination_event_service"] = stream.DestinationEventService,
        ["stream_aliases"] = new JsonArray([.. (stream.StreamAliases ?? []).Select(a => (JsonNode)JsonValue.Create(a))]),
    };

    private static OpenApiParameter StreamsParameter(List<StreamDefinition> streams) => new()
    {
        Name = "streams",
        In = ParameterLocation.Path,
        Required = true,
        Style = ParameterStyle.Simple,
        Explode = false,
        Description = "Comma-separated stream names or aliases.",
        Schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            MinItems = 1,
            Items = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [.. streams.Select(s => (JsonNode)JsonValue.Create(s.Name))],
            },
        },
    };

    private const string StreamDescription =
        "Server-Sent Events (`text/event-stream`) of the requested streams, or newline-delimited JSON with `Accept: application/json`.\n" +
        "Each SSE event's `id` lists a resume position for every partition: send it back as `Last-Event-ID` (EventSource does this on reconnect) to continue without loss. " +
        "Without an id, `since` picks the start time; otherwise only new events are sent.";
}
