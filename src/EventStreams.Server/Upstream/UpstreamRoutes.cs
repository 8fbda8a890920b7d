using EventStreams.Server.Routes;

namespace EventStreams.Server.Upstream;

/// <summary>The routes forwarded in upstream mode: the streams, the OpenAPI document and service info. Everything else (UI, docs, metrics) is this server's own.</summary>
internal static class UpstreamRoutes
{
    private const string StreamPrefix = ApiRoutes.StreamPrefix;
    private const string Info = ApiRoutes.Info;

    public static bool IsStream(PathString path) => path.StartsWithSegments(StreamPrefix.TrimEnd('/'), StringComparison.Ordinal) && path.Value!.Length > StreamPrefix.Length - 1;

    /// <summary>The stream names of a stream path, as the direct server's metrics label them.</summary>
    public static string[] StreamNames(PathString path) =>
        path.Value![StreamPrefix.Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static bool IsSpec(HttpRequest request) => request.Path == "/" && request.Query.ContainsKey("spec");

    /// <summary><c>/_info</c> itself (not its <c>/name</c>, <c>/version</c>, <c>/home</c>).</summary>
    public static bool IsInfo(PathString path) => path == Info || path == Info + "/";

    public static bool IsForwarded(HttpRequest request) =>
        IsStream(request.Path) || request.Path.StartsWithSegments(Info, StringComparison.Ordinal) || IsSpec(request);

    /// <summary>Whether a path of the upstream's OpenAPI document is answered here too: the streams, service info and the root.</summary>
    public static bool IsServedPath(string path) =>
        path == "/" || path.StartsWith(StreamPrefix, StringComparison.Ordinal) || path == Info || path.StartsWith(Info + "/", StringComparison.Ordinal);
}
