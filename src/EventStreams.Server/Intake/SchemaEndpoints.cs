using System.Text.Json;
using EventStreams.Server.Problems;
using EventStreams.Server.Routes;

namespace EventStreams.Server.Intake;

/// <summary>
/// <c>GET /v2/schema/{stream}</c>: the latest schema of a stream (<c>/&lt;schema_title&gt;/latest</c> in <c>Schemas:BaseUris</c>)
/// as JSON, with its <c>examples</c>: where "Send a test event" starts from.
/// </summary>
internal static class SchemaEndpoints
{
    public static IEndpointRouteBuilder MapSchemaApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGetAndHead(ApiRoutes.Schema, GetSchemaAsync);
        return endpoints;
    }

    private static async Task GetSchemaAsync(HttpContext context, string stream, IntakeStreams streams, SchemaRepository schemas)
    {
        var definition = streams.Find(stream) ?? throw ApiProblemException.StreamNotFound([stream]);
        if (definition.SchemaTitle is not { Length: > 0 } title)
        {
            throw SchemaNotFound(stream, "the stream has no schema_title");
        }

        LoadedSchema schema;
        try
        {
            schema = await schemas.GetAsync($"/{title}/latest", context.RequestAborted);
        }
        catch (SchemaNotFoundException e)
        {
            throw SchemaNotFound(stream, e.Message);
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        schema.Document.WriteTo(writer);
    }

    private static ApiProblemException SchemaNotFound(string stream, string reason) =>
        new(404, "schema_not_found", "Schema Not Found", $"No schema for stream {stream}: {reason}.");
}
