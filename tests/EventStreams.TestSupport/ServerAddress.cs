using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace EventStreams.TestSupport;

public static class ServerAddress
{
    /// <summary>Where a started app listens, ending in "/" (a wildcard host becomes 127.0.0.1, which a client can reach).</summary>
    public static Uri Of(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
    }
}
