using System.Net;
using System.Text.Json;

namespace EventStreams.IntegrationTests.Intake;

/// <summary><c>GET /v2/schema/{stream}</c>: the stream's latest schema with its examples, or a problem body.</summary>
public sealed class SchemaRouteTests(IntakeServerFixture fixture) : IClassFixture<IntakeServerFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task GetSchema_DeclaredStream_LatestSchemaWithExamples()
    {
        using var http = fixture.Server.CreateClient();

        using var response = await http.GetAsync("v2/schema/intake.good").WaitAsync(Wait);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("test/intake", json.GetProperty("title").GetString());
        Assert.Equal("/test/intake/1.0.0", json.GetProperty("$id").GetString());
        Assert.Equal("click", json.GetProperty("examples")[0].GetProperty("action").GetString());
    }

    [Fact]
    public async Task GetSchema_UnknownStream_400NotFound()
    {
        using var http = fixture.Server.CreateClient();

        using var response = await http.GetAsync("v2/schema/no.such.stream").WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("not_found", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task GetSchema_NoLatestInTheRepository_404SchemaNotFound()
    {
        using var http = fixture.Server.CreateClient();

        using var response = await http.GetAsync("v2/schema/intake.other").WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("schema_not_found", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
    }
}
