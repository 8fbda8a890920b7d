using System.Reflection;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Api;

/// <summary>This service's name, version, description and home page, as <c>/_info</c> reports them (WMF service-template-node's shape).</summary>
public sealed record ServiceInfo(string Name, string Version, string Description, string Home)
{
    public static ServiceInfo From(IOptions<InfoOptions> options)
    {
        var assembly = typeof(ServiceInfo).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0.0.0";
        return new ServiceInfo(InfoOptions.DefaultName, version, options.Value.Description, options.Value.Home);
    }
}
