using System.ComponentModel.DataAnnotations;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Tests.Kafka;

/// <summary>The <c>Kafka</c> section is validated as the host validates it at start (<c>ValidateDataAnnotations</c>): a mistake names its key.</summary>
public sealed class KafkaOptionsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("broker1:9092")]
    [InlineData("broker1:9092, broker2:9093")]
    [InlineData("PLAINTEXT://broker1:9092,[::1]:9092")]
    public void Validate_GoodBootstrapServers_Passes(string servers)
    {
        var result = Validate(new KafkaOptions { BootstrapServers = servers });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("broker1")]
    [InlineData("broker1:port")]
    [InlineData("broker1:9092,")]
    [InlineData("broker1:70000")]
    public void Validate_BadBootstrapServers_FailsNamingTheKey(string servers)
    {
        var result = Validate(new KafkaOptions { BootstrapServers = servers });

        Assert.True(result.Failed);
        Assert.Contains("Kafka:BootstrapServers", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmbeddedPartitionsOutOfRange_Fails()
    {
        var result = Validate(new KafkaOptions { EmbeddedPartitions = 0 });

        Assert.True(result.Failed);
        Assert.Contains(nameof(KafkaOptions.EmbeddedPartitions), result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ConsumerSettingWithSpace_Fails()
    {
        var options = new KafkaOptions();
        options.Consumer["fetch wait"] = "10";

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Contains("Kafka:Consumer", result.FailureMessage, StringComparison.Ordinal);
    }

    private static ValidateOptionsResult Validate(KafkaOptions options) =>
        new DataAnnotationValidateOptions<KafkaOptions>(null).Validate(null, options);
}
