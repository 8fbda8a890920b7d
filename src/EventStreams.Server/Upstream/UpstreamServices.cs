using Microsoft.Extensions.Options;

namespace EventStreams.Server.Upstream;

/// <summary>Registration and pipeline of upstream mode.</summary>
internal static class UpstreamServices
{
    /// <summary>Whether this configuration runs in upstream mode (<c>Upstream:Url</c> set).</summary>
    public static bool IsUpstreamMode(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{UpstreamOptions.Section}:{nameof(UpstreamOptions.Url)}"]);

    public static IServiceCollection AddUpstream(this IServiceCollection services)
    {
        services.AddOptions<UpstreamOptions>().BindConfiguration(UpstreamOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpForwarder();
        services.AddSingleton<UpstreamCertificateValidator>();
        services.AddSingleton<UpstreamHttpClient>();
        services.AddSingleton<UpstreamTransformer>();
        services.AddSingleton<SharedUpstreams>();
        services.AddSingleton<UpstreamProxy>();
        services.AddHostedService<UpstreamStartupReport>();
        return services;
    }

    /// <summary>Forwards the upstream's routes before anything of this server's own can answer them.</summary>
    public static IApplicationBuilder UseUpstream(this IApplicationBuilder app)
    {
        var proxy = app.ApplicationServices.GetRequiredService<UpstreamProxy>();
        app.Use((context, next) => UpstreamRoutes.IsForwarded(context.Request) ? proxy.ForwardAsync(context) : next(context));
        return app;
    }

    /// <summary>The upstream as the UI shows it: scheme, host and port, and the Host override if any.</summary>
    public static string DisplayName(this IOptions<UpstreamOptions> options)
    {
        var settings = options.Value;
        var uri = new Uri(settings.DestinationPrefix);
        var shown = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return settings.HostName.Length > 0 ? $"{shown} (as {settings.HostName})" : shown;
    }
}
