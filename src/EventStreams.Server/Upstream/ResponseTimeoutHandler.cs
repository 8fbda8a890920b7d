namespace EventStreams.Server.Upstream;

/// <summary>
/// Bounds the wait for the upstream's response headers only: a stream may then stay open for hours, but an upstream that
/// accepts the request and never answers costs the client at most <c>Upstream:ResponseTimeoutSeconds</c>.
/// </summary>
internal sealed class ResponseTimeoutHandler(TimeSpan timeout, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            return await base.SendAsync(request, timer.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && timer.IsCancellationRequested)
        {
            throw new TimeoutException($"no response within {timeout.TotalSeconds:0} s ({UpstreamOptions.Section}:{nameof(UpstreamOptions.ResponseTimeoutSeconds)})", e);
        }
    }
}
