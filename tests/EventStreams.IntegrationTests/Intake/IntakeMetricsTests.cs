using System.Globalization;
using System.Net;
using static EventStreams.IntegrationTests.Intake.IntakeClient;

namespace EventStreams.IntegrationTests.Intake;

/// <summary>The intake's counters on <c>/metrics</c> move with what was posted, and stay bounded whatever streams clients name.</summary>
public sealed class IntakeMetricsTests
{
    private static string Bad(string stream) =>
        $$"""{"$schema":"/test/intake/1.0.0","meta":{"stream":"{{stream}}"},"action":"click","count":"one"}""";

    [Fact]
    public async Task Metrics_AfterAcceptedInvalidAndFailedEvents_CountEachPerStreamAndStatus()
    {
        using var schemas = new SchemaRepo();
        await using var server = await TestServer.StartAsync(IntakeServerFixture.Config, 1, $"--Schemas:BaseUris:0={schemas.Folder}",
            "--Intake:EventServiceName=eventgate-test", "--Intake:ProduceTimeoutSeconds=1");
        using var http = server.CreateClient();

        Assert.Equal(HttpStatusCode.MultiStatus, (await PostAsync(http, $"[{Good("a")},{Good("b")},{Bad("intake.good")}]")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(http, Bad("not.declared"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(http, "")).Status);
        server.Cluster.SetBrokerDown();
        Assert.Equal(HttpStatusCode.InternalServerError, (await PostAsync(http, Good("c"))).Status);

        var metrics = await ScrapeAsync(http);
        Assert.Equal(2, Value(metrics, "eventstreams_intake_events_total{stream=\"intake.good\",result=\"accepted\"}"));
        Assert.Equal(1, Value(metrics, "eventstreams_intake_events_total{stream=\"intake.good\",result=\"invalid\"}"));
        Assert.Equal(1, Value(metrics, "eventstreams_intake_events_total{stream=\"intake.good\",result=\"error\"}"));
        Assert.Equal(1, Value(metrics, "eventstreams_intake_events_total{stream=\"_other\",result=\"invalid\"}"));
        Assert.Equal(1, Value(metrics, "eventstreams_intake_requests_total{code=\"207\"}"));
        Assert.Equal(2, Value(metrics, "eventstreams_intake_requests_total{code=\"400\"}"));
        Assert.Equal(1, Value(metrics, "eventstreams_intake_requests_total{code=\"500\"}"));
        // Every event was validated once (the empty body has none): 3 + 1 + 1.
        Assert.Equal(5, Value(metrics, "eventstreams_intake_validation_seconds_count"));
        Assert.True(Value(metrics, "eventstreams_intake_validation_seconds_sum") > 0);
    }

    [Fact]
    public async Task Metrics_After1000UndeclaredStreamNames_SeriesStayBounded()
    {
        using var schemas = new SchemaRepo();
        await using var server = await TestServer.StartAsync(IntakeServerFixture.Config, 1, $"--Schemas:BaseUris:0={schemas.Folder}",
            "--Intake:EventServiceName=eventgate-test");
        using var http = server.CreateClient();
        var before = await ScrapeAsync(http);

        // 1,000 names, 100 to a request, posted concurrently; one declared stream's event in each request too.
        await Parallel.ForEachAsync(Enumerable.Range(0, 10), async (batch, _) =>
        {
            var events = Enumerable.Range(0, 100).Select(i => Bad($"undeclared.{batch}.{i}")).Append(Good($"batch{batch}"));
            Assert.Equal(HttpStatusCode.MultiStatus, (await PostAsync(http, $"[{string.Join(',', events)}]")).Status);
        });

        var after = await ScrapeAsync(http);
        var series = after.Keys.Where(k => k.StartsWith("eventstreams_intake_", StringComparison.Ordinal) && !k.StartsWith("eventstreams_intake_validation_seconds", StringComparison.Ordinal)).ToList();
        Assert.Equal(1000, Value(after, "eventstreams_intake_events_total{stream=\"_other\",result=\"invalid\"}"));
        Assert.Equal(10, Value(after, "eventstreams_intake_events_total{stream=\"intake.good\",result=\"accepted\"}"));
        Assert.Equal(["eventstreams_intake_events_total{stream=\"_other\",result=\"invalid\"}", "eventstreams_intake_events_total{stream=\"intake.good\",result=\"accepted\"}",
            "eventstreams_intake_requests_total{code=\"207\"}"], series.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(after.Keys, k => k.Contains("undeclared", StringComparison.Ordinal));
        Assert.InRange(after.Count - before.Count, 1, 30);
    }

    /// <summary>Each sample line of the Prometheus text, by its name and labels.</summary>
    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient http)
    {
        var text = await http.GetStringAsync("metrics").WaitAsync(Wait);
        return text.Split('\n').Where(line => line.Length > 0 && line[0] != '#')
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => double.Parse(parts[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
    }

    private static double Value(Dictionary<string, double> metrics, string series) =>
        metrics.TryGetValue(series, out var value) ? value : throw new Xunit.Sdk.XunitException($"no series {series}");
}
