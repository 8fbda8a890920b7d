using System.Reflection;

namespace EventStreams.Server;

/// <summary>This build's version and the <c>User-Agent</c> it sends to other services (stream config sources, upstreams).</summary>
internal static class ProductInfo
{
    public const string Product = "EventStreams-dotnet";

    public static string Version { get; } = ReadVersion();

    /// <summary>
    /// Descriptive by default, as Wikimedia's User-Agent policy asks (<c>name/version (what it is) library/version</c>);
    /// operators add their contact through the headers settings that take a <c>User-Agent</c>.
    /// </summary>
    public static string UserAgent { get; } =
        $"{Product}/{Version.Split('+')[0]} (self-hosted EventStreams server and web UI) .NET/{Environment.Version}";

    private static string ReadVersion()
    {
        var assembly = typeof(ProductInfo).Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0.0.0";
    }
}
