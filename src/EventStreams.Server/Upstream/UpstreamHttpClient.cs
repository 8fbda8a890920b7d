using System.Net;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Upstream;

/// <summary>The one connection pool to the upstream, shared by every forwarded request (an <see cref="HttpMessageInvoker"/>, as YARP requires: no response buffering).</summary>
internal sealed class UpstreamHttpClient : IDisposable
{
    public UpstreamHttpClient(IOptions<UpstreamOptions> options, UpstreamCertificateValidator validator)
    {
        var settings = options.Value;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(settings.ConnectTimeoutSeconds),
            EnableMultipleHttp2Connections = true,
            // No distributed-tracing headers: the upstream is someone else's service.
            ActivityHeadersPropagator = null,
        };
        handler.SslOptions.RemoteCertificateValidationCallback = validator.Validate;
        Invoker = new HttpMessageInvoker(new ResponseTimeoutHandler(TimeSpan.FromSeconds(settings.ResponseTimeoutSeconds), handler), disposeHandler: true);
    }

    public HttpMessageInvoker Invoker { get; }

    public void Dispose() => Invoker.Dispose();
}
