using System.ComponentModel.DataAnnotations;

namespace EventStreams.Server.Api;

/// <summary>The <c>Info</c> configuration section: what <c>/_info</c> and the OpenAPI document say about this service.</summary>
public sealed class InfoOptions : IValidatableObject
{
    public const string Section = "Info";
    public const string DefaultName = "eventstreams";
    public const string DefaultDescription = "Streams Kafka events to browsers and HTTP clients as Server-Sent Events (wire-compatible with Wikimedia EventStreams).";

    /// <summary>Where <c>/_info/home</c> redirects; by default this server's own API documentation.</summary>
    public const string DefaultHome = "/?doc";

    public string Description { get; set; } = DefaultDescription;

    /// <summary>An absolute http(s) URL, or a path on this server starting with <c>/</c>.</summary>
    public string Home { get; set; } = DefaultHome;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var relative = Home.StartsWith('/') && !Home.StartsWith("//", StringComparison.Ordinal);
        var absolute = Uri.TryCreate(Home, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
        if (!relative && !absolute)
        {
            yield return new ValidationResult($"{Section}:{nameof(Home)} must be an http(s) URL or a path starting with '/', not '{Home}'.", [nameof(Home)]);
        }
    }
}
