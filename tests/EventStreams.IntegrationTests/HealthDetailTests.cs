using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EventStreams.Server.Catalog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EventStreams.IntegrationTests;

/// <summary>
/// <c>/readyz</c> and <c>/healthz</c> on the public port say what is wrong but not where: no config path, URL or broker
/// address, even while the config fails to reload and Kafka is down. The operator's copy on <c>Metrics:Port</c> has them.
/// </summary>
public sealed class HealthDetailTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task HealthBodies_ReloadFailingAndKafkaDown_PublicPortNamesNoPathOrHost_MetricsPortDoes()
    {
        var metricsPort = FreePort();
        await using var server = await TestServer.StartAsync(
            """
            streams:
              test.health:
                topics: [test.health]
            """,
            partitions: 1,
            $"--Metrics:Port={metricsPort}");
        var catalog = server.App.Services.GetRequiredService<StreamCatalog>();
        var configPath = server.App.Services.GetRequiredService<IOptions<StreamConfigOptions>>().Value.Uri;
        await File.WriteAllTextAsync(configPath, "streams: {a: [unclosed");
        await catalog.ReloadAsync(CancellationToken.None).WaitAsync(Wait);
        using var http = server.CreateClient();

        server.Cluster.SetBrokerDown(-1);
        var (ready, readyBody) = await WaitForReadinessAsync(http, "readyz", HttpStatusCode.ServiceUnavailable);
        using var live = await http.GetAsync("healthz").WaitAsync(Wait);
        var liveBody = await live.Content.ReadAsStringAsync();
        var (operatorReady, operatorBody) = await WaitForReadinessAsync(http, $"http://127.0.0.1:{metricsPort}/readyz", HttpStatusCode.ServiceUnavailable);
        using var operatorLive = await http.GetAsync($"http://127.0.0.1:{metricsPort}/healthz").WaitAsync(Wait);
        server.Cluster.SetBrokerUp(-1);

        Assert.Equal("Degraded", ready.GetProperty("checks").GetProperty("catalog").GetProperty("status").GetString());
        Assert.Equal("Unhealthy", ready.GetProperty("checks").GetProperty("kafka").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        foreach (var body in new[] { readyBody, liveBody })
        {
            Assert.DoesNotContain(configPath, body, StringComparison.Ordinal);
            Assert.DoesNotContain(Path.GetFileName(configPath), body, StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
            Assert.DoesNotContain("localhost", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("\"detail\"", body, StringComparison.Ordinal);
        }

        Assert.All(ready.GetProperty("checks").EnumerateObject(), check => Assert.DoesNotContain('/', check.Value.GetProperty("description").GetString()!));
        Assert.Equal(configPath, operatorReady.GetProperty("checks").GetProperty("catalog").GetProperty("detail").GetProperty("source").GetString());
        Assert.False(string.IsNullOrEmpty(operatorReady.GetProperty("checks").GetProperty("catalog").GetProperty("detail").GetProperty("error").GetString()));
        Assert.False(string.IsNullOrEmpty(operatorReady.GetProperty("checks").GetProperty("kafka").GetProperty("detail").GetProperty("error").GetString()));
        Assert.Contains(configPath, operatorBody, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, operatorLive.StatusCode);
    }

    /// <summary>Polls until the route answers <paramref name="status"/> (a condition with a deadline, not a sleep).</summary>
    private static async Task<(JsonElement Json, string Body)> WaitForReadinessAsync(HttpClient http, string route, HttpStatusCode status)
    {
        using var deadline = new CancellationTokenSource(Wait);
        while (true)
        {
            using var response = await http.GetAsync(route).WaitAsync(Wait);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == status)
            {
                return (JsonDocument.Parse(body).RootElement, body);
            }

            Assert.False(deadline.IsCancellationRequested, $"{route} still {(int)response.StatusCode} after {Wait}: {body}");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
