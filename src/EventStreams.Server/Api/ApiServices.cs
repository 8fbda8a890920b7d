using Microsoft.Extensions.Options;

namespace EventStreams.Server.Api;

/// <summary>Services behind the non-streaming routes: service info, the OpenAPI document, CORS.</summary>
internal static class ApiServices
{
    private const int PreflightMaxAgeSeconds = 86400;

    public static IServiceCollection AddEventStreamsApi(this IServiceCollection services)
    {
        services.AddOptions<InfoOptions>().BindConfiguration(InfoOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => ServiceInfo.From(sp.GetRequiredService<IOptions<InfoOptions>>()));
        services.AddSingleton<OpenApiSpecProvider>();
        services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .AllowAnyOrigin()
            // POST and the SignalR headers: cross-origin SignalR clients negotiate with a POST.
            .WithMethods("GET", "HEAD", "POST")
            .WithHeaders("Last-Event-ID", "Content-Type", "X-Requested-With", "X-SignalR-User-Agent")
            .SetPreflightMaxAge(TimeSpan.FromSeconds(PreflightMaxAgeSeconds))));
        return services;
    }
}
