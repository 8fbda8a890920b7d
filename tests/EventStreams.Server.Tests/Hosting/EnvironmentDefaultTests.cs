using EventStreams.Server.Api;
using EventStreams.Server.Hosting;
using Microsoft.Extensions.Configuration;

namespace EventStreams.Server.Tests.Hosting;

public sealed class EnvironmentDefaultTests
{
    private static string Resolve(string? configured, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        var options = new InfoOptions { Environment = configured ?? "" };
        new EnvironmentDefault(configuration).PostConfigure(null, options);
        return options.Environment;
    }

    [Fact]
    public void PostConfigure_EmbeddedBroker_LocalDemo() => Assert.Equal("local demo", Resolve(null));

    [Fact]
    public void PostConfigure_RealCluster_NothingClaimed() => Assert.Equal("", Resolve(null, ("Kafka:BootstrapServers", "kafka1:9092")));

    [Theory]
    [InlineData("https://stream.wikimedia.org", "production")]
    [InlineData("https://STREAM.wikimedia.org/", "production")]
    [InlineData("https://stream.wikimedia.beta.wmcloud.org", "beta")]
    [InlineData("https://localhost:4992", "")]
    public void PostConfigure_Upstream_KnownWikimediaHostsNamed(string url, string expected) =>
        Assert.Equal(expected, Resolve(null, ("Upstream:Url", url)));

    [Fact]
    public void PostConfigure_Configured_AlwaysWins() =>
        Assert.Equal("staging", Resolve("staging", ("Upstream:Url", "https://stream.wikimedia.org")));
}
