using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Api;

/// <summary>
/// This service's name, version, description and home page, as <c>/_info</c> reports them (WMF service-template-node's
/// shape), and the environment its events come from when one is known.
/// </summary>
internal sealed record ServiceInfo(
    string Name,
    string Version,
    string Description,
    string Home,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Environment = null)
{
    public static ServiceInfo From(IOptions<InfoOptions> options) => new(
        InfoOptions.DefaultName,
        ProductInfo.Version,
        options.Value.Description,
        options.Value.Home,
        options.Value.Environment.Length > 0 ? options.Value.Environment : null);
}
