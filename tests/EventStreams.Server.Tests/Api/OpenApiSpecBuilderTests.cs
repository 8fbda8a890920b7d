using System.Text.Json.Nodes;
using EventStreams.Server.Api;
using EventStreams.Server.Catalog;
using EventStreams.Server.Routes;
using Microsoft.OpenApi;

namespace EventStreams.Server.Tests.Api;

public sealed class OpenApiSpecBuilderTests
{
    private static readonly ServiceInfo Info = new("eventstreams", "1.2.3", "desc", "/?doc");

    private static StreamCatalogSnapshot Catalog(params StreamDefinition[] streams) =>
        new(streams.ToDictionary(s => s.Name, StringComparer.Ordinal), "test");

    private static StreamDefinition Stream(string name, string? description = null, string? aliasOf = null) =>
        new(name, [name], new HashSet<string>([name], StringComparer.Ordinal), description, null, aliasOf);

    [Fact]
    public void Build_StreamsOutOfOrder_EnumIsSortedAndHasOnePathEach()
    {
        var document = OpenApiSpecBuilder.Build(Catalog(Stream("b"), Stream("a"), Stream("c", aliasOf: "a")), Info, intake: false);

        var parameter = document.Paths[ApiRoutes.Stream].Operations![HttpMethod.Get].Parameters!.Single(p => p.Name == "streams");
        Assert.Equal(["a", "b", "c"], parameter.Schema!.Items!.Enum!.Select(n => n.GetValue<string>()));
        Assert.Equal(["/v2/stream/{streams}", "/v2/stream/a", "/v2/stream/b", "/v2/stream/c", "/v2/retention/{streams}"], document.Paths.Keys);
        Assert.Equal("1.2.3", document.Info.Version);
    }

    [Fact]
    public void Build_IntakeOn_DocumentsTheIntakeAndSchemaRoutes()
    {
        var document = OpenApiSpecBuilder.Build(Catalog(Stream("b"), Stream("a"), Stream("c", aliasOf: "a")), Info, intake: true);

        Assert.Equal(["/v2/stream/{streams}", "/v2/stream/a", "/v2/stream/b", "/v2/stream/c", "/v2/retention/{streams}", "/v1/events", "/v2/schema/{stream}"], document.Paths.Keys);
        var post = document.Paths["/v1/events"].Operations![HttpMethod.Post];
        Assert.Equal(["application/json", "text/plain"], post.RequestBody!.Content!.Keys);
        Assert.Contains(post.Parameters!, p => p.Name == "hasty");
        var stream = document.Paths["/v2/schema/{stream}"].Operations![HttpMethod.Get].Parameters!.Single();
        Assert.Equal(["a", "b"], stream.Schema!.Enum!.Select(n => n.GetValue<string>()));
    }

    [Fact]
    public void Build_AliasWithoutDescription_DescribesItAsAlias()
    {
        var document = OpenApiSpecBuilder.Build(Catalog(Stream("a", "The A stream."), Stream("c", aliasOf: "a")), Info, intake: false);

        var alias = document.Paths["/v2/stream/c"];
        var extension = (JsonNodeExtension)alias.Operations![HttpMethod.Get].Extensions![OpenApiSpecBuilder.CatalogueExtension];
        Assert.Equal("An alias of a.", alias.Description);
        Assert.Equal("a", extension.Node["alias_of"]!.GetValue<string>());
        Assert.Null(extension.Node["description"]);
        Assert.False(extension.Node["error_validation"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Build_Serialized_ParsesBackWithoutErrors()
    {
        var json = await OpenApiSpecBuilder.Build(Catalog(Stream("x.error.validation")), Info, intake: true).SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_0);

        var (document, diagnostic) = OpenApiDocument.Parse(json, "json");

        Assert.Empty(diagnostic!.Errors);
        Assert.True(JsonNode.Parse(json)!["paths"]!["/v2/stream/x.error.validation"]!["get"]!["x-eventstreams"]!["error_validation"]!.GetValue<bool>());
        Assert.NotNull(document);
    }
}
