using System.Net;

namespace EventStreams.Server.Transports;

/// <summary>
/// The <c>ForwardedHeaders</c> configuration section: the proxies whose <c>X-Forwarded-For/Proto/Host/Prefix</c> and
/// client-key header (<c>Streaming:ClientIpHeader</c>) are believed. Empty (the default) = none: a request is its
/// connection's remote address, whatever headers it carries.
/// </summary>
internal sealed class TrustedProxyOptions
{
    public const string Section = "ForwardedHeaders";

    /// <summary>IP addresses (<c>10.0.0.5</c>) or CIDR networks (<c>10.0.0.0/8</c>, <c>fd00::/8</c>).</summary>
    public List<string> TrustedProxies { get; } = [];

    public IReadOnlyList<IPNetwork> Networks() => [.. TrustedProxies.Select(Parse)];

    /// <summary>The first entry that is neither an address nor a network, or null.</summary>
    public string? FirstInvalid() => TrustedProxies.FirstOrDefault(p => !TryParse(p, out _));

    private static IPNetwork Parse(string proxy) => TryParse(proxy, out var network) ? network : throw new FormatException($"Not an IP address or CIDR network: {proxy}");

    private static bool TryParse(string proxy, out IPNetwork network)
    {
        var text = proxy.Trim();
        if (IPNetwork.TryParse(text, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return false;
    }
}
