using EventStreams.Server.Api;
using EventStreams.Server.Intake;
using EventStreams.Server.Upstream;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Hosting;

/// <summary>
/// The UI's settings from the mode: in upstream mode there is no SignalR hub (it would need a hub of the upstream's), so
/// SSE only, and no intake (the upstream's is not forwarded).
/// </summary>
internal static class UiSettingsFactory
{
    public static UiSettings Create(IServiceProvider services)
    {
        var info = services.GetRequiredService<ServiceInfo>();
        if (UpstreamServices.IsUpstreamMode(services.GetRequiredService<IConfiguration>()))
        {
            return new UiSettings(info.Environment, services.GetRequiredService<IOptions<UpstreamOptions>>().DisplayName(), [UiSettings.Sse], Intake: false);
        }

        var intake = services.GetService<IntakeStreams>()?.IsOn ?? false;
        return new UiSettings(info.Environment, null, [UiSettings.Sse, UiSettings.SignalR], intake);
    }
}
