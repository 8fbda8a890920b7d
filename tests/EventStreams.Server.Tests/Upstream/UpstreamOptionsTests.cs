using System.ComponentModel.DataAnnotations;
using EventStreams.Server.Upstream;

namespace EventStreams.Server.Tests.Upstream;

public sealed class UpstreamOptionsTests
{
    private static List<ValidationResult> Validate(UpstreamOptions options) => [.. options.Validate(new ValidationContext(options))];

    [Theory]
    [InlineData("https://stream.wikimedia.org", true)]
    [InlineData("https://localhost:4992/", true)]
    [InlineData("http://10.0.0.5:8080/eventstreams", true)]
    [InlineData("stream.wikimedia.org", false)]
    [InlineData("ftp://stream.wikimedia.org", false)]
    [InlineData("https://stream.wikimedia.org/?spec", false)]
    [InlineData("https://user:secret@stream.wikimedia.org", false)]
    public void Validate_Url_HttpBaseUrlsOnly(string url, bool valid)
    {
        var errors = Validate(new UpstreamOptions { Url = url });

        Assert.Equal(valid, errors.Count == 0);
        Assert.All(errors, e => Assert.Contains("Upstream:Url", e.ErrorMessage, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("eventstreams.internal", true)]
    [InlineData("eventstreams.internal:4992", true)]
    [InlineData("bad host!", false)]
    public void Validate_HostName_HostNamesOnly(string hostName, bool valid) =>
        Assert.Equal(valid, Validate(new UpstreamOptions { Url = "https://localhost:4992", HostName = hostName }).Count == 0);

    [Fact]
    public void DestinationPrefix_TrailingSlashDropped() =>
        Assert.Equal("https://localhost:4992", new UpstreamOptions { Url = "https://localhost:4992/" }.DestinationPrefix);
}
