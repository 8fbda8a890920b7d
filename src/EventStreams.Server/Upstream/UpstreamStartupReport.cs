using EventStreams.Server.Diagnostics;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Upstream;

/// <summary>Says at start where requests go, and warns loudly when certificate checks are off.</summary>
internal sealed partial class UpstreamStartupReport(IOptions<UpstreamOptions> options, ILogger<UpstreamStartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        LogForwarding(logger, settings.DestinationPrefix, settings.HostName.Length > 0 ? settings.HostName : "the URL's host");
        if (settings.AllowInvalidCertificate)
        {
            LogAllowInvalid(logger, settings.DestinationPrefix);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogEventIds.UpstreamForwarding, LogLevel.Information, "Upstream mode: no Kafka; /v2/stream, /?spec and /_info are forwarded to {Upstream} (Host and TLS name: {HostName})")]
    private static partial void LogForwarding(ILogger logger, string upstream, string hostName);

    [LoggerMessage(LogEventIds.UpstreamAllowInvalidCertificate, LogLevel.Warning,
        "Upstream:AllowInvalidCertificate is on: ANY certificate from {Upstream} is accepted, so anyone between here and there can read and change the events. " +
        "Use it only through a tunnel you trust; prefer Upstream:PinnedCertificates (the fingerprint is in the error you get without this switch).")]
    private static partial void LogAllowInvalid(ILogger logger, string upstream);
}
