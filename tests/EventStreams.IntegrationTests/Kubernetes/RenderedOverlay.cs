using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace EventStreams.IntegrationTests.Kubernetes;

/// <summary>
/// An overlay of <c>deploy/kubernetes</c> as <c>kubectl kustomize</c> renders it (offline: no cluster), each object as
/// JSON for easy reading. The README's test command installs kubectl where it is missing.
/// </summary>
public sealed class RenderedOverlay
{
    private static readonly TimeSpan RenderTimeout = TimeSpan.FromMinutes(1);

    private RenderedOverlay(string name, IReadOnlyList<JsonObject> objects)
    {
        Name = name;
        Objects = objects;
    }

    public string Name { get; }

    public IReadOnlyList<JsonObject> Objects { get; }

    public JsonObject Deployment => One("Deployment");

    public JsonObject PodSpec => Deployment["spec"]!["template"]!["spec"]!.AsObject();

    public JsonObject Container => PodSpec["containers"]!.AsArray().Single()!.AsObject();

    public IEnumerable<JsonObject> Env => Container["env"]!.AsArray().Select(e => e!.AsObject());

    public IEnumerable<string> Kinds => Objects.Select(o => (string)o["kind"]!);

    public JsonObject One(string kind) => Objects.Single(o => (string)o["kind"]! == kind);

    public JsonObject? Find(string kind) => Objects.SingleOrDefault(o => (string)o["kind"]! == kind);

    /// <summary>The container port a probe or scrape names (by name or number).</summary>
    public int ContainerPort(JsonNode port) => port.GetValueKind() == System.Text.Json.JsonValueKind.Number
        ? (int)port
        : (int)Container["ports"]!.AsArray().Single(p => (string)p!["name"]! == (string)port!)!["containerPort"]!;

    public static async Task<RenderedOverlay> RenderAsync(string overlay)
    {
        var output = await Command.RunAsync("kubectl", ["kustomize", Path.Combine(RepoRoot.Path, "deploy", "kubernetes", "overlays", overlay)], RenderTimeout);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(output));
        return new RenderedOverlay(overlay, [.. yaml.Documents.Select(d => ToJson(d.RootNode)!.AsObject())]);
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToJson)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar when int.TryParse(scalar.Value, out var number) => JsonValue.Create(number),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "true" or "false" } scalar => JsonValue.Create(scalar.Value == "true"),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };
}
