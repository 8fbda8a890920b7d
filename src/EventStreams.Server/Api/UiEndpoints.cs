using EventStreams.Server.Routes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.FileProviders;

namespace EventStreams.Server.Api;

/// <summary>
/// <c>/v2/ui</c>: the browser UI, the static build of <c>src/EventStreams.Web</c> that the server build copies to <c>wwwroot/ui</c>.
/// </summary>
internal static class UiEndpoints
{
    // Vite names every asset after its content hash, so an asset never changes under its name; index.html always may.
    private const string ImmutableAsset = "public, max-age=31536000, immutable";

    public static WebApplication MapUi(this WebApplication app)
    {
        app.MapGetAndHead(ApiRoutes.UiSettings, GetSettings);
        var root = System.IO.Path.Combine(app.Environment.ContentRootPath, "wwwroot", "ui");
        var index = System.IO.Path.Combine(root, "index.html");
        if (!File.Exists(index))
        {
            app.MapGet(ApiRoutes.Ui + "/{**rest}", NotBuilt);
            return app;
        }

        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(root),
            RequestPath = ApiRoutes.Ui,
            OnPrepareResponse = static context =>
            {
                context.Context.Response.Headers.CacheControl = context.File.Name.EndsWith(".html", StringComparison.Ordinal)
                    ? "no-cache"
                    : ImmutableAsset;
            },
        });
        // Routing ignores a trailing slash: this answers both /v2/ui and /v2/ui/. The page's URLs are relative (so that it
        // works under any prefix), which needs the trailing slash: /v2/ui redirects to ui/, relative too, so the prefix stays.
        app.MapGetAndHead(ApiRoutes.Ui, (HttpContext context) => context.Request.Path.Value!.EndsWith('/')
            ? (IResult)Index(context, index)
            : Results.Redirect("ui/" + context.Request.QueryString, permanent: true));
        return app;
    }

    private static IResult GetSettings(HttpContext context, UiSettings settings)
    {
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Json(settings, UiSettingsJsonContext.Default.UiSettings);
    }

    private static PhysicalFileHttpResult Index(HttpContext context, string index)
    {
        context.Response.Headers.CacheControl = "no-cache";
        return TypedResults.PhysicalFile(index, "text/html; charset=utf-8");
    }

    private static ProblemHttpResult NotBuilt() => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "UI Not Built",
        detail: "The web UI was not built: build the server with npm on the PATH (dotnet build runs npm ci and npm run build in src/EventStreams.Web).");
}

[System.Text.Json.Serialization.JsonSerializable(typeof(UiSettings))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class UiSettingsJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
