using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using IPNetwork = System.Net.IPNetwork;

namespace EventStreams.Server.Transports;

/// <summary>
/// Applies forwarded headers (ASP.NET Core's <see cref="ForwardedHeadersMiddleware"/>) only from configured proxies,
/// and remembers who the connection's peer was, so that the connection limit believes its client-key header only
/// from those proxies too.
/// </summary>
internal static class TrustedProxies
{
    private static readonly object PeerKey = new();

    public static IServiceCollection AddTrustedProxies(this IServiceCollection services)
    {
        services.AddOptions<TrustedProxyOptions>().BindConfiguration(TrustedProxyOptions.Section)
            .Validate(o => o.FirstInvalid() is null, $"{TrustedProxyOptions.Section}:TrustedProxies holds an entry that is neither an IP address nor a CIDR network.")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<TrustedProxyOptions>>((forwarded, trusted) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedPrefix;
            // Through every trusted hop, stopping at the first address that is not trusted.
            forwarded.ForwardLimit = null;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var network in trusted.Value.Networks())
            {
                forwarded.KnownIPNetworks.Add(network);
            }
        });
        return services;
    }

    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetRequiredService<IOptions<TrustedProxyOptions>>().Value.TrustedProxies.Count == 0)
        {
            return app;
        }

        app.Use(static (context, next) =>
        {
            context.Items[PeerKey] = context.Connection.RemoteIpAddress;
            return next(context);
        });
        app.UseForwardedHeaders();
        return app;
    }

    /// <summary>Whether the connection's peer (before forwarded headers replaced the remote address) is a trusted proxy.</summary>
    public static bool FromTrustedProxy(HttpContext context, IReadOnlyList<IPNetwork> trusted)
    {
        if (trusted.Count == 0 || context.Items[PeerKey] is not IPAddress peer)
        {
            return false;
        }

        if (peer.IsIPv4MappedToIPv6)
        {
            peer = peer.MapToIPv4();
        }

        return trusted.Any(network => network.Contains(peer));
    }
}
