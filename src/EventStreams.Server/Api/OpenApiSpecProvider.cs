using EventStreams.Server.Catalog;
using Microsoft.OpenApi;

namespace EventStreams.Server.Api;

/// <summary>
/// The serialized OpenAPI document of the current catalogue, rebuilt only when the catalogue is reloaded. It documents
/// the intake routes when the intake runs (the UI's settings know: off in upstream mode and when disabled).
/// </summary>
internal sealed class OpenApiSpecProvider(StreamCatalog catalog, ServiceInfo info, UiSettings settings)
{
    private Entry? _cached;

    public async Task<string> GetJsonAsync(CancellationToken cancellationToken)
    {
        var snapshot = catalog.Current;
        if (_cached is { } cached && ReferenceEquals(cached.Snapshot, snapshot))
        {
            return cached.Json;
        }

        var json = await OpenApiSpecBuilder.Build(snapshot, info, settings.Intake).SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_0, cancellationToken);
        _cached = new Entry(snapshot, json);
        return json;
    }

    private sealed record Entry(StreamCatalogSnapshot Snapshot, string Json);
}
