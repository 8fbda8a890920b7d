using EventStreams.Server.Problems;
using EventStreams.Server.Routes;
using Microsoft.AspNetCore.StaticFiles;

namespace EventStreams.Server.Api;

/// <summary><c>/</c> (redirect, <c>?spec</c>, <c>?doc</c>), <c>/rc</c>, <c>/robots.txt</c> and the API docs page's own files.</summary>
internal static class RootEndpoints
{
    private const string DocFolder = "doc";
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapRootApi(this IEndpointRouteBuilder endpoints)
    {
        // HEAD too, as WMF's Express routes answer it: monitors and crawlers probe with it.
        endpoints.MapGetAndHead("/", GetRootAsync);
        endpoints.MapGetAndHead(ApiRoutes.RecentChangeShortcut, static (HttpRequest request) => Results.Redirect(request.PathBase + ApiRoutes.Doc, permanent: true));
        endpoints.MapGetAndHead(ApiRoutes.Robots, static () => Results.Text("User-agent: *\nDisallow: /\n", "text/plain; charset=utf-8"));
        endpoints.MapGetAndHead(ApiRoutes.DocFile, GetDocFile);
        return endpoints;
    }

    /// <summary>WMF serves the spec and the docs on the root path, told apart by the query (<c>/?spec</c>, <c>/?doc</c>).</summary>
    private static async Task<IResult> GetRootAsync(HttpContext context, OpenApiSpecProvider spec, IWebHostEnvironment environment)
    {
        var query = context.Request.Query;
        if (query.ContainsKey("spec"))
        {
            return Results.Text(await spec.GetJsonAsync(context.RequestAborted), "application/json; charset=utf-8");
        }

        if (query.ContainsKey("doc"))
        {
            return DocFile(context.Request, environment, "index.html");
        }

        context.Response.Headers.Location = context.Request.PathBase + ApiRoutes.Ui;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static IResult GetDocFile(HttpRequest request, string file, IWebHostEnvironment environment) => DocFile(request, environment, file);

    private static IResult DocFile(HttpRequest request, IWebHostEnvironment environment, string name)
    {
        // The provider refuses paths that leave its root; the route parameter cannot contain '/'.
        var file = environment.WebRootFileProvider.GetFileInfo($"{DocFolder}/{name}");
        if (!file.Exists || file.IsDirectory || !ContentTypes.TryGetContentType(name, out var contentType))
        {
            throw ApiProblemException.RouteNotFound(request.Path);
        }

        if (contentType.StartsWith("text/", StringComparison.Ordinal))
        {
            contentType += "; charset=utf-8";
        }

        return Results.Stream(file.CreateReadStream(), contentType, lastModified: file.LastModified);
    }
}
