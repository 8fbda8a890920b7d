using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EventStreams.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EventStreams.IntegrationTests.Kubernetes;

/// <summary>
/// deploy/kubernetes rendered (both overlays, as CI renders them) and checked against the application: its documented
/// configuration keys, its shutdown timeout, its Dockerfile, its stream config loader. The probes, the metrics port
/// and the security settings against the running published server: <see cref="PublishedPodTests"/>.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    public static TheoryData<string> Overlays => ["demo", "production"];

    [Fact]
    public async Task DemoOverlay_Renders_OneReplicaWithTheEmbeddedBroker()
    {
        var demo = await RenderedOverlay.RenderAsync("demo");

        Assert.Equal(["ConfigMap", "Deployment", "PodDisruptionBudget", "Service"], demo.Kinds.Order());
        Assert.Equal(1, (int)demo.Deployment["spec"]!["replicas"]!);
        Assert.DoesNotContain(demo.Env, e => (string)e["name"]! == "Kafka__BootstrapServers");
    }

    [Fact]
    public async Task ProductionOverlay_Renders_ThreeReplicasOnKafkaWithSaslFromASecret()
    {
        var production = await RenderedOverlay.RenderAsync("production");
        var env = production.Env.ToDictionary(e => (string)e["name"]!);

        Assert.Equal(["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Ingress", "PodDisruptionBudget", "Service"], production.Kinds.Order());
        Assert.Equal(3, (int)production.Deployment["spec"]!["replicas"]!);
        Assert.Equal(3, (int)production.One("HorizontalPodAutoscaler")["spec"]!["minReplicas"]!);
        Assert.False(string.IsNullOrEmpty((string?)env["Kafka__BootstrapServers"]["value"]));
        Assert.StartsWith("SASL_", (string)env["Kafka__Consumer__security.protocol"]["value"]!, StringComparison.Ordinal);
        foreach (var secret in new[] { "Kafka__Consumer__sasl.username", "Kafka__Consumer__sasl.password" })
        {
            Assert.Null(env[secret]["value"]);
            Assert.NotNull(env[secret]["valueFrom"]!["secretKeyRef"]!["name"]);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Overlay_References_ResolveToRenderedObjects(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        var deployment = rendered.Deployment;
        var podLabels = deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        var service = rendered.One("Service");
        var configMaps = rendered.Objects.Where(o => (string)o["kind"]! == "ConfigMap").Select(o => (string)o["metadata"]!["name"]!);

        Assert.True(Selects(deployment["spec"]!["selector"]!["matchLabels"]!, podLabels));
        Assert.True(Selects(service["spec"]!["selector"]!, podLabels));
        Assert.True(Selects(rendered.One("PodDisruptionBudget")["spec"]!["selector"]!["matchLabels"]!, podLabels));
        Assert.All(service["spec"]!["ports"]!.AsArray(), p => rendered.ContainerPort(p!["targetPort"]!));
        Assert.All(rendered.PodSpec["volumes"]!.AsArray().Where(v => v!["configMap"] is not null), v => Assert.Contains((string)v!["configMap"]!["name"]!, configMaps));
        if (rendered.Find("HorizontalPodAutoscaler") is { } hpa)
        {
            Assert.Equal((string)deployment["metadata"]!["name"]!, (string)hpa["spec"]!["scaleTargetRef"]!["name"]!);
        }

        if (rendered.Find("Ingress") is { } ingress)
        {
            var backend = ingress["spec"]!["rules"]![0]!["http"]!["paths"]![0]!["backend"]!["service"]!;
            Assert.Equal((string)service["metadata"]!["name"]!, (string)backend["name"]!);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Overlay_Pod_RunsAsNonRootWithAReadOnlyRootFileSystem(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        var pod = rendered.PodSpec["securityContext"]!;
        var container = rendered.Container["securityContext"]!;
        var writable = rendered.Container["volumeMounts"]!.AsArray().Where(m => m!["readOnly"] is null).Select(m => (string)m!["mountPath"]!);

        Assert.True((bool)pod["runAsNonRoot"]!);
        Assert.NotEqual(0, (int)pod["runAsUser"]!);
        Assert.True((bool)container["readOnlyRootFilesystem"]!);
        Assert.False((bool)container["allowPrivilegeEscalation"]!);
        Assert.Equal(["ALL"], container["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
        Assert.Equal(["/tmp"], writable);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Overlay_EveryEnvironmentVariable_MapsToADocumentedConfigurationKey(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        var documented = DocumentedKeys();

        Assert.NotEmpty(rendered.Env);
        Assert.All(rendered.Env.Select(e => (string)e["name"]!), name =>
            Assert.True(documented.Any(key => key.IsMatch(name.Replace("__", ":", StringComparison.Ordinal))), $"{name} is no configuration key of the README's table."));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Overlay_GracePeriod_CoversPreStopAndTheServersShutdownTimeout(string overlay)
    {
        var rendered = await RenderedOverlay.RenderAsync(overlay);
        var grace = TimeSpan.FromSeconds((int)rendered.PodSpec["terminationGracePeriodSeconds"]!);
        var preStop = TimeSpan.FromSeconds((int?)rendered.Container["lifecycle"]?["preStop"]?["sleep"]?["seconds"] ?? 0);

        // The host stops within its ShutdownTimeout whatever its services still do: the longest a drain can take.
        var args = rendered.Env.Where(e => e["value"] is not null).Select(e => $"--{((string)e["name"]!).Replace("__", ":", StringComparison.Ordinal)}={e["value"]}").ToArray();
        await using var app = EventStreamsApp.Create(args);
        var shutdown = app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;

        Assert.True(grace >= preStop + shutdown, $"terminationGracePeriodSeconds {grace.TotalSeconds} < preStop {preStop.TotalSeconds} s + ShutdownTimeout {shutdown.TotalSeconds} s");
    }

    [Fact]
    public async Task Dockerfile_AgreesWithTheManifests()
    {
        var image = DockerfileRuntime.Read();
        var rendered = await RenderedOverlay.RenderAsync("production");
        var http = rendered.ContainerPort(JsonValue.Create("http"));

        Assert.Equal("$APP_UID", image.Argument("USER"));
        Assert.Equal(DockerfileRuntime.DotnetImageAppUid, (int)rendered.PodSpec["securityContext"]!["runAsUser"]!);
        Assert.Equal($"http://+:{http}", image.Env["ASPNETCORE_URLS"]);
        Assert.Equal(http.ToString(System.Globalization.CultureInfo.InvariantCulture), image.Argument("EXPOSE"));
        Assert.Equal("""["dotnet", "EventStreams.Server.dll"]""", image.Argument("ENTRYPOINT"));
        Assert.Null(rendered.Container["command"]);
        Assert.Null(rendered.Container["args"]);
    }

    [Fact]
    public async Task BaseStreamConfig_LoadsInTheServer()
    {
        var production = await RenderedOverlay.RenderAsync("production");
        var streams = (string)production.One("ConfigMap")["data"]!["streams.yaml"]!;
        await using var server = await TestServer.StartAsync(streams);
        using var http = server.CreateClient();

        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/recentchange,page-create");
        await sse.ReadAsync(TimeSpan.FromSeconds(15));
        await server.ProduceAsync("codfw.mediawiki.recentchange", 0, """{"type":"edit"}""");
        var received = await sse.ReadAsync(TimeSpan.FromSeconds(15));
        var spec = await http.GetStringAsync("?spec").WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(System.Net.HttpStatusCode.OK, sse.Response.StatusCode);
        Assert.Equal("edit", received?.Json.GetProperty("type").GetString());
        Assert.Contains("\"mediawiki.page_change.v1\"", spec, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingress_Settings_LetServerSentEventsThrough()
    {
        var production = await RenderedOverlay.RenderAsync("production");
        var annotations = production.One("Ingress")["metadata"]!["annotations"]!;

        Assert.Equal("off", (string)annotations["nginx.ingress.kubernetes.io/proxy-buffering"]!);
        // Longer than several heartbeats (Streaming:HeartbeatSeconds, 15 s by default).
        Assert.True(int.Parse((string)annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]!, System.Globalization.CultureInfo.InvariantCulture) >= 60);
        Assert.True(int.Parse((string)annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"]!, System.Globalization.CultureInfo.InvariantCulture) >= 60);
    }

    private static bool Selects(JsonNode selector, JsonObject labels) =>
        selector.AsObject().All(s => labels[s.Key] is { } value && (string)value! == (string)s.Value!);

    /// <summary>The keys of the README's configuration table, as patterns (<c>&lt;n&gt;</c>, <c>&lt;name&gt;</c>: any segment; the last one: the rest).</summary>
    private static List<Regex> DocumentedKeys()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot.Path, "README.md"));
        var table = readme[readme.IndexOf("\n## Configuration", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n## ", 1, StringComparison.Ordinal)];
        return [.. table.Split('\n')
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(l => KeyCell().Matches(l.Split('|')[1]).Select(m => m.Groups[1].Value))
            .Select(key => Regex.Escape(key).Replace(@"\ ", " ", StringComparison.Ordinal))
            .Select(key => new Regex("^" + Placeholder().Replace(key, m => m.Index + m.Length == key.Length ? ".+" : "[^:]+") + "$", RegexOptions.IgnoreCase))];
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex KeyCell();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Placeholder();
}
