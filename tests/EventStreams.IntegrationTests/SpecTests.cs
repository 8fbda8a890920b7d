using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventStreams.Server.Catalog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace EventStreams.IntegrationTests;

/// <summary><c>/?spec</c>: a valid OpenAPI document generated from the live catalogue.</summary>
public sealed class SpecTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private const string StreamRoute = "/v2/stream/{streams}";
    private TestServer _server = null!;

    private const string Config = """
        streams:
          test.spec.edits:
            topic_prefixes: [eqiad., codfw.]
            destination_event_service: eventgate-test
            stream_aliases: [spec-edits]
            schema_title: test/edit
            description: Edits for the spec test.
          test.spec.error.validation:
            topics: [test.spec.error.validation]
            schema_title: error
            description: Rejected events.
        """;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(Config, 1, "--StreamConfig:Aliases:test.spec.alias=test.spec.edits");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> GetSpecAsync()
    {
        using var http = _server.CreateClient();
        using var response = await http.GetAsync("?spec").WaitAsync(Wait);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync().WaitAsync(Wait);
    }

    private static OpenApiDocument Parse(string json)
    {
        var (document, diagnostic) = OpenApiDocument.Parse(json, "json");
        Assert.NotNull(diagnostic);
        Assert.Empty(diagnostic.Errors);
        Assert.NotNull(document);
        return document;
    }

    private static List<string> StreamEnum(OpenApiDocument document)
    {
        var operation = document.Paths[StreamRoute].Operations![HttpMethod.Get];
        var streams = operation.Parameters!.Single(p => p.Name == "streams");
        Assert.Equal(ParameterLocation.Path, streams.In);
        return [.. streams.Schema!.Items!.Enum!.Select(n => n.GetValue<string>())];
    }

    [Fact]
    public async Task Spec_Parses_WithEveryStreamAndAliasInEnum()
    {
        var json = await GetSpecAsync();
        var document = Parse(json);

        var operation = document.Paths[StreamRoute].Operations![HttpMethod.Get];
        var parameters = operation.Parameters!.Select(p => (p.Name, p.In)).ToList();
        Assert.StartsWith("3.", JsonNode.Parse(json)!["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["spec-edits", "test.spec.alias", "test.spec.edits", "test.spec.error.validation"], StreamEnum(document).Order(StringComparer.Ordinal));
        Assert.Contains(("since", (ParameterLocation?)ParameterLocation.Query), parameters);
        Assert.Contains(("Last-Event-ID", (ParameterLocation?)ParameterLocation.Header), parameters);
        Assert.Contains(("last_event_id", (ParameterLocation?)ParameterLocation.Query), parameters);
        Assert.Contains(("filter", (ParameterLocation?)ParameterLocation.Query), parameters);
        Assert.True(operation.Responses!["200"].Content!.ContainsKey("text/event-stream"));
        Assert.True(operation.Responses["200"].Content!.ContainsKey("application/json"));
        foreach (var status in new[] { "400", "404", "429", "500" })
        {
            var schema = operation.Responses[status].Content!["application/json"].Schema!;
            Assert.Equal(["detail", "method", "status", "title", "type", "uri"], schema.Properties!.Keys.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Spec_StreamDocumentationPaths_CarryCatalogueExtension()
    {
        var json = await GetSpecAsync();
        var document = Parse(json);
        var raw = JsonNode.Parse(json)!["paths"]!;

        var edits = document.Paths["/v2/stream/test.spec.edits"];
        var extension = Assert.IsType<JsonNodeExtension>(edits.Operations![HttpMethod.Get].Extensions!["x-eventstreams"]);
        Assert.Equal("Edits for the spec test.", edits.Description);
        Assert.Contains("test/edit", edits.Operations[HttpMethod.Get].Description, StringComparison.Ordinal);
        Assert.Equal("test.spec.edits", extension.Node["stream"]!.GetValue<string>());
        AssertEntry(raw["/v2/stream/test.spec.edits"]!["get"]!["x-eventstreams"]!, "test.spec.edits", null, "test/edit", ["eqiad.test.spec.edits", "codfw.test.spec.edits"], false, "eventgate-test", ["spec-edits"]);
        AssertEntry(raw["/v2/stream/test.spec.alias"]!["get"]!["x-eventstreams"]!, "test.spec.alias", "test.spec.edits", "test/edit", ["eqiad.test.spec.edits", "codfw.test.spec.edits"], false, "eventgate-test", []);
        AssertEntry(raw["/v2/stream/spec-edits"]!["get"]!["x-eventstreams"]!, "spec-edits", "test.spec.edits", "test/edit", ["eqiad.test.spec.edits", "codfw.test.spec.edits"], false, "eventgate-test", []);
        AssertEntry(raw["/v2/stream/test.spec.error.validation"]!["get"]!["x-eventstreams"]!, "test.spec.error.validation", null, "error", ["test.spec.error.validation"], true, null, []);
    }

    private static void AssertEntry(JsonNode entry, string stream, string? aliasOf, string schemaTitle, string[] topics, bool errorValidation, string? destination, string[] aliases)
    {
        Assert.Equal(["stream", "alias_of", "description", "schema_title", "topics", "error_validation", "destination_event_service", "stream_aliases"], entry.AsObject().Select(p => p.Key));
        Assert.Equal(destination, entry["destination_event_service"]?.GetValue<string>());
        Assert.Equal(aliases, entry["stream_aliases"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(stream, entry["stream"]!.GetValue<string>());
        Assert.Equal(aliasOf, entry["alias_of"]?.GetValue<string>());
        Assert.Equal(JsonValueKind.String, entry["description"]!.GetValueKind());
        Assert.Equal(schemaTitle, entry["schema_title"]!.GetValue<string>());
        Assert.Equal(topics, entry["topics"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(errorValidation, entry["error_validation"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Spec_AfterCatalogueReload_ListsTheNewCatalogue()
    {
        var before = StreamEnum(Parse(await GetSpecAsync()));
        var path = _server.App.Services.GetRequiredService<IOptions<StreamConfigOptions>>().Value.Uri;
        await File.WriteAllTextAsync(path, """
            streams:
              test.spec.edits:
                topics: [eqiad.test.spec.edits]
              test.spec.added:
                topics: [test.spec.added]
                description: Added by a reload.
            """);

        await _server.App.Services.GetRequiredService<StreamCatalog>().LoadAsync(CancellationToken.None).WaitAsync(Wait);
        var json = await GetSpecAsync();
        var after = Parse(json);

        Assert.Contains("test.spec.error.validation", before);
        Assert.Equal(["test.spec.added", "test.spec.alias", "test.spec.edits"], StreamEnum(after).Order(StringComparer.Ordinal));
        Assert.True(after.Paths.ContainsKey("/v2/stream/test.spec.added"));
        Assert.False(after.Paths.ContainsKey("/v2/stream/test.spec.error.validation"));
        Assert.Equal("Added by a reload.", after.Paths["/v2/stream/test.spec.added"].Description);
    }
}
