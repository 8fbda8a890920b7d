namespace EventStreams.Server.Problems;

/// <summary>
/// Every route handler's problems: an <see cref="ApiProblemException"/> (or a Kafka failure) thrown before the response
/// started becomes the problem's answer, so that handlers throw and never write a problem themselves.
/// </summary>
internal sealed class ProblemFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (!context.HttpContext.Response.HasStarted && ApiProblemException.From(e) is { } problem)
        {
            return problem.ToResult();
        }
    }
}
