using System.ComponentModel.DataAnnotations;
using EventStreams.Server.Api;

namespace EventStreams.Server.Tests.Api;

public sealed class InfoOptionsTests
{
    [Theory]
    [InlineData("/?doc", true)]
    [InlineData("https://example.org/eventstreams", true)]
    [InlineData("http://example.org", true)]
    [InlineData("//evil.example/x", false)]
    [InlineData("ftp://example.org", false)]
    [InlineData("example.org", false)]
    [InlineData("", false)]
    public void Validate_Home_AcceptsHttpUrlsAndLocalPathsOnly(string home, bool valid)
    {
        var options = new InfoOptions { Home = home };

        var errors = options.Validate(new ValidationContext(options)).ToList();

        Assert.Equal(valid, errors.Count == 0);
        Assert.All(errors, e => Assert.Contains("Info:Home", e.ErrorMessage, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("beta", true)]
    [InlineData("local demo", true)]
    [InlineData("production\nfake", false)]
    [InlineData("an environment name that is far too long to be a label", false)]
    public void Validate_Environment_ShortPrintableOnly(string environment, bool valid)
    {
        var options = new InfoOptions { Environment = environment };

        var errors = options.Validate(new ValidationContext(options)).ToList();

        Assert.Equal(valid, errors.Count == 0);
        Assert.All(errors, e => Assert.Contains("Info:Environment", e.ErrorMessage, StringComparison.Ordinal));
    }
}
