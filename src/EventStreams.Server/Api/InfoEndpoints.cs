using System.Text.Json.Serialization;
using EventStreams.Server.Routes;

namespace EventStreams.Server.Api;

/// <summary><c>/_info</c>, <c>/_info/name</c>, <c>/_info/version</c>, <c>/_info/home</c>, as in WMF's service-template-node.</summary>
internal static class InfoEndpoints
{
    public static IEndpointRouteBuilder MapInfoApi(this IEndpointRouteBuilder endpoints)
    {
        var info = endpoints.MapGroup(ApiRoutes.Info);
        info.MapGetAndHead("/", GetInfo);
        info.MapGetAndHead("/name", GetName);
        info.MapGetAndHead("/version", GetVersion);
        info.MapGetAndHead("/home", GetHome);
        return endpoints;
    }

    private static IResult GetInfo(ServiceInfo info) => Results.Json(info, InfoJsonContext.Default.ServiceInfo);

    private static IResult GetName(ServiceInfo info) => Results.Json(new NameBody(info.Name), InfoJsonContext.Default.NameBody);

    private static IResult GetVersion(ServiceInfo info) => Results.Json(new VersionBody(info.Version), InfoJsonContext.Default.VersionBody);

    // A home on this server ("/?doc") is under the prefix the server is mounted at.
    private static IResult GetHome(ServiceInfo info, HttpRequest request) =>
        Results.Redirect(info.Home.StartsWith('/') ? request.PathBase + info.Home : info.Home, permanent: true);
}

internal sealed record NameBody(string Name);

internal sealed record VersionBody(string Version);

[JsonSerializable(typeof(ServiceInfo))]
[JsonSerializable(typeof(NameBody))]
[JsonSerializable(typeof(VersionBody))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class InfoJsonContext : JsonSerializerContext;
