using EventStreams.Server.Api;
using EventStreams.Server.Kafka;
using EventStreams.Server.Upstream;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Hosting;

/// <summary>
/// <c>Info:Environment</c> when it is not set: <c>local demo</c> with the embedded broker; in upstream mode
/// <c>production</c> or <c>beta</c> for Wikimedia's public services; otherwise nothing (the UI then shows the upstream
/// host alone). An explicit setting always wins.
/// </summary>
internal sealed class EnvironmentDefault(IConfiguration configuration) : IPostConfigureOptions<InfoOptions>
{
    private const string WikimediaProductionHost = "stream.wikimedia.org";
    private static readonly string[] WikimediaBetaSuffixes = [".beta.wmcloud.org", ".beta.wmflabs.org"];

    public void PostConfigure(string? name, InfoOptions options)
    {
        if (options.Environment.Length > 0)
        {
            return;
        }

        var upstream = configuration[$"{UpstreamOptions.Section}:{nameof(UpstreamOptions.Url)}"];
        if (!string.IsNullOrWhiteSpace(upstream))
        {
            options.Environment = FromUpstream(upstream) ?? "";
        }
        else if (string.IsNullOrWhiteSpace(configuration[$"{KafkaOptions.Section}:{nameof(KafkaOptions.BootstrapServers)}"]))
        {
            options.Environment = InfoOptions.LocalDemoEnvironment;
        }
    }

    internal static string? FromUpstream(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var host = uri.Host.ToLowerInvariant();
        return host == WikimediaProductionHost ? "production"
            : WikimediaBetaSuffixes.Any(suffix => host.EndsWith(suffix, StringComparison.Ordinal)) ? "beta"
            : null;
    }
}
