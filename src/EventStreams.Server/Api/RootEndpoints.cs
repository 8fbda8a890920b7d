using EventStreams.Server.Problems;
using Microsoft.AspNetCore.StaticFiles;

namespace EventStreams.Server.Api;

/// <summary><c>/</c> (redirect, <c>?spec</c>, <c>?doc</c>), <c>/rc</c>, <c>/robots.txt</c> and the API docs page's own files.</summary>
public static class RootEndpoints
{
    public const string UiPath = "/v2/ui";
    public const string DocPath = "/?doc";
    private const string DocFolder = "doc";
    internal static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapRootApi(this IEndpointRouteBuilder endpoints)
    {
        // HEAD too, as WMF's Express routes answer it: monitors and crawlers probe with it.
        endpoints.MapMethods("/", GetAndHead, GetRootAsync);
        endpoints.MapMethods("/rc", GetAndHead, static (HttpRequest request) => Results.Redirect(request.PathBase + DocPath, permanent: true));
        endpoints.MapMethods("/robots.txt", GetAndHead, static () => Results.Text("User-agent: *\nDisallow: /\n", "text/plain; charset=utf-8"));
        endpoints.MapMethods("/doc/{file}", GetAndHead, GetDocFile);
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

        context.Response.Headers.Location = context.Request.PathBase + UiPath;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static IResult GetDocFile(HttpRequest request, string file, IWebHostEnvironment environment) => DocFile(request, environment, file);

    private static IResult DocFile(HttpRequest request, IWebHostEnvironment environment, string name)
    {
        // The provider refuses paths that leave its root; the route parameter cannot contain '/'.
        var file = environment.WebRootFileProvider.GetFileInfo($"{DocFolder}/{name}");
        if (!file.Exists || file.IsDirectory || !ContentTypes.TryGetContentType(name, out var contentType))
        {
            return ApiProblemException.RouteNotFound(request.Path).ToResult(request);
        }

        if (contentType.StartsWith("text/", StringComparison.Ordinal))
        {
            contentType += "; charset=utf-8";
        }

        return Results.Stream(file.CreateReadStream(), contentType, lastModified: file.LastModified);
    }
}
