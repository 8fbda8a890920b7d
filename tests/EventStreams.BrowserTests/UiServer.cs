using EventStreams.TestSupport;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventStreams.Server.Hosting;
using EventStreams.Server.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EventStreams.BrowserTests;

/// <summary>
/// The real server on Kestrel at 127.0.0.1:0 with its embedded mock cluster and a catalogue of the browser tests' own
/// streams (each test uses streams nobody else writes to), plus a producer for the tests' events.
/// Every response carries the production Content-Security-Policy, so a page that needs an inline script or a CDN fails here.
/// </summary>
public sealed class UiServer : IAsyncDisposable
{
    public const string ContentSecurityPolicy = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

    /// <summary>Streams the tests use; the error-validation one is marked as such by its name.</summary>
    public static readonly string[] Streams =
    [
        "ui.live", "ui.hub", "ui.retry", "ui.pause", "ui.since", "ui.fromid", "ui.sel.a", "ui.sel.b", "ui.filter", "ui.detail", "ui.narrow", "ui.link", "ui.download", "ui.shots", "ui.perf.a", "ui.perf.b",
        "ui.restart", "ui.again", "ui.restart.start", "ui.copyid", "ui.chart", "ui.retention",
        "ui.instr", "ui.value", "ui.find", "ui.relative", "ui.a11y", "ui.zone", "ui.cap", "ui.cols.alpha", "ui.cols.beta", "ui.upstream", "ui.prefix", "ui.lastn", "ui.schemalink", "ui.gzip",
        "ui.alias.real", "ui.empty", "ui.yaml", "ui.small", "ui.gap",
        "ui.window", "ui.older", "ui.pick", "ui.devtools", "ui.shots.history",
        "ui.test.error.validation",
    ];

    private readonly string _configPath;
    private readonly IProducer<byte[]?, byte[]?> _producer;

    private UiServer(WebApplication app, string configPath)
    {
        App = app;
        _configPath = configPath;
        BaseAddress = ServerAddress.Of(app);
        _producer = app.Services.GetRequiredService<KafkaClients>().CreateProducer(c =>
        {
            c.LingerMs = 2;
            c.QueueBufferingMaxMessages = 1_000_000;
        });
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public string UiUrl(string hash = "") => new Uri(BaseAddress, "v2/ui" + hash).ToString();

    /// <summary>Starts a server; <paramref name="port"/> 0 picks a free one, another reuses a port (a restart).</summary>
    public static async Task<UiServer> StartAsync(int port = 0)
    {
        var config = new StringBuilder("streams:\n");
        foreach (var name in Streams)
        {
            var error = name.EndsWith(".error.validation", StringComparison.Ordinal);
            config.Append(CultureInvariant($"""
                  {name}:
                    description: {(error ? "Events that the test intake rejected." : $"Test events for {name}.")}
                    schema_title: {(error ? "error" : "mediawiki/recentchange")}
                    topic_prefixes: [eqiad., codfw.]{(name is "ui.instr" or "ui.alias.real" ? "\n    destination_event_service: ui.test" : "")}{(name == "ui.alias.real" ? "\n    stream_aliases: [uialias]" : "")}

                """));
        }

        var configPath = Path.Combine(Path.GetTempPath(), $"eventstreams-ui-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(configPath, config.ToString());
        string[] args =
        [
            FormattableString.Invariant($"--urls=http://127.0.0.1:{port}"),
            $"--StreamConfig:Uri={configPath}",
            "--Demo:Enabled=false",
            "--Logging:LogLevel:Default=Warning",
            "--Shutdown:DrainSeconds=0",
        ];
        var app = EventStreamsApp.Create(args, builder => builder.Services.AddTransient<IStartupFilter, SecurityHeaders>());
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new UiServer(app, configPath);
    }

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>A recentchange-like edit with a sequence number the tests check for gaps.</summary>
    public static string Edit(string stream, int seq, string domain = "en.wikipedia.org", string type = "edit", DateTimeOffset? time = null, string comment = "")
    {
        var dt = (time ?? DateTimeOffset.UtcNow).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["$schema"] = "/mediawiki/recentchange/1.0.0",
            ["meta"] = new Dictionary<string, object?> { ["stream"] = stream, ["domain"] = domain, ["dt"] = dt, ["id"] = Guid.NewGuid().ToString() },
            ["type"] = type,
            ["title"] = $"Page {seq}",
            ["user"] = $"User{seq % 7}",
            ["server_name"] = domain,
            ["wiki"] = domain.Split('.')[0] + "wiki",
            ["bot"] = false,
            ["length"] = new Dictionary<string, int> { ["old"] = 100, ["new"] = 100 + seq },
            ["comment"] = comment,
            ["seq"] = seq,
        });
    }

    public async Task ProduceAsync(string topic, string json, DateTimeOffset? timestamp = null, int partition = 0)
    {
        var message = new Message<byte[]?, byte[]?>
        {
            Value = Encoding.UTF8.GetBytes(json),
            Timestamp = timestamp is { } t ? new Timestamp(t) : Timestamp.Default,
        };
        await _producer.ProduceAsync(new TopicPartition(topic, partition), message).WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Queues without waiting for each delivery, for high rates; <see cref="Flush"/> waits for all of them.</summary>
    public void Produce(string topic, string json)
    {
        _producer.Produce(new TopicPartition(topic, 0), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes(json) });
    }

    public void Flush() => _producer.Flush(TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        _producer.Dispose();
        await App.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await App.DisposeAsync();
        File.Delete(_configPath);
    }

    private sealed class SecurityHeaders : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(static (context, nextMiddleware) =>
            {
                context.Response.OnStarting(static state =>
                {
                    ((HttpResponse)state).Headers.TryAdd("Content-Security-Policy", ContentSecurityPolicy);
                    return Task.CompletedTask;
                }, context.Response);
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
