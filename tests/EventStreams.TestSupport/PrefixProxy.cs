using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Forwarder;

namespace EventStreams.TestSupport;

/// <summary>
/// A YARP reverse proxy on real Kestrel that mounts a server under <c>/eventstreams/</c>, as a site would: requests under
/// the prefix go to the server either with the full path (the server runs with <c>PathBase=/eventstreams</c>) or, with
/// <c>stripPrefix</c>, without it and with <c>X-Forwarded-Prefix: /eventstreams</c>; anything else is 404.
/// </summary>
public sealed class PrefixProxy : IAsyncDisposable
{
    public const string Prefix = "/eventstreams";
    private readonly KestrelApp _app;
    private readonly HttpMessageInvoker _invoker;

    private PrefixProxy(KestrelApp app, HttpMessageInvoker invoker)
    {
        _app = app;
        _invoker = invoker;
    }

    /// <summary>The mounted server's root through the proxy, ending in <c>/eventstreams/</c>.</summary>
    public Uri BaseAddress => new(_app.BaseAddress, Prefix + "/");

    public static async Task<PrefixProxy> StartAsync(Uri server, bool stripPrefix = false)
    {
        var transformer = stripPrefix ? new StripPrefix() : HttpTransformer.Default;
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false });
        var destination = server.GetLeftPart(UriPartial.Authority);
        var app = await KestrelApp.StartAsync(
            app => app.Use(async (HttpContext context, RequestDelegate next) =>
            {
                if (!context.Request.Path.StartsWithSegments(Prefix, StringComparison.Ordinal))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }

                var forwarder = context.RequestServices.GetRequiredService<IHttpForwarder>();
                await forwarder.SendAsync(context, destination, invoker, ForwarderRequestConfig.Empty, transformer);
            }),
            builder => builder.Services.AddHttpForwarder());
        return new PrefixProxy(app, invoker);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _invoker.Dispose();
    }

    private sealed class StripPrefix : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            httpContext.Request.Path.StartsWithSegments(Prefix, StringComparison.Ordinal, out var rest);
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, rest, httpContext.Request.QueryString);
            proxyRequest.Headers.Remove("X-Forwarded-Prefix");
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", Prefix);
            proxyRequest.Headers.Host = null;
        }
    }
}
