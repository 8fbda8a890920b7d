using EventStreams.Server.Api;
using EventStreams.Server.Catalog;
using EventStreams.Server.Demo;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Health;
using EventStreams.Server.Intake;
using EventStreams.Server.Kafka;
using EventStreams.Server.Retention;
using EventStreams.Server.Streaming;
using EventStreams.Server.Transports;
using EventStreams.Server.Upstream;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Debug;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Hosting;

public static class EventStreamsHostingExtensions
{
    /// <summary>
    /// Registers the catalogue, Kafka reading, streaming and transports, with options validated at start; in upstream mode
    /// (<c>Upstream:Url</c>) the forwarder instead of anything that reads Kafka.
    /// </summary>
    public static WebApplicationBuilder AddEventStreams(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StreamConfigOptions>().BindConfiguration(StreamConfigOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StreamingOptions>().BindConfiguration(StreamingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PartitionCacheOptions>().Configure<IOptions<StreamingOptions>>((cache, streaming) =>
        {
            cache.CacheMegabytesPerPartition = streaming.Value.CacheMegabytesPerPartition;
            cache.ReaderIdleSeconds = streaming.Value.ReaderIdleSeconds;
        });
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KafkaHealthOptions>().BindConfiguration(KafkaHealthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddHttpClient(nameof(StreamCatalog));
        services.AddSingleton<StreamCatalog>();
        var readsKafka = !UpstreamServices.IsUpstreamMode(builder.Configuration);
        // In upstream mode nothing here reads Kafka: its gauges would only start an embedded broker.
        services.AddSingleton(sp => readsKafka ? NewMetrics(sp) : new StreamMetrics(sp.GetRequiredService<IOptions<MetricsOptions>>()));
        services.AddSingleton<IReaderMetrics>(sp => sp.GetRequiredService<StreamMetrics>());
        services.AddSingleton<KafkaClients>();
        services.AddSingleton<BrokerCalls>();
        services.AddSingleton<SharedPartitionReader>();
        services.AddSingleton<TimeLookup>();
        services.AddSingleton<HighWatermarks>();
        services.AddSingleton<RetentionLookup>();
        services.AddSingleton<LastEvents>();
        services.AddSingleton<CatchUpPermits>();
        services.AddSingleton<WakeupTimer>();
        services.AddSingleton<SubscriptionFactory>();
        services.AddSingleton<StreamSessions>();
        services.AddSingleton<FilterRegistry>();
        services.AddTrustedProxies();
        services.AddSingleton<ConnectionLimiter>();
        services.AddSingleton<EventStreamWriter>();
        services.AddSingleton<StalledWrites>();
        services.AddSingleton<KafkaHealth>();
        services.AddSingleton<StreamTerminations>();
        // Unready, streams ended with advice to come back, still listening a while: a stop moves clients to other instances.
        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());
        // JSON for browsers (the UI), MessagePack for clients that ask for it: smaller frames, no text escaping.
        services.AddSignalR().AddMessagePackProtocol();
        // SignalR's JSON protocol with its stream items written in one piece (Transports/HubJsonProtocol).
        services.Remove(services.Single(d => d.ServiceType == typeof(IHubProtocol) && d.ImplementationType == typeof(JsonHubProtocol)));
        services.AddSingleton<IHubProtocol, HubJsonProtocol>();
        services.AddSingleton<HubStreams>();
        services.AddSingleton<HubSocketTokens>();
        services.AddSingleton<HubSocketConnections>();
        services.AddEventStreamsApi();
        services.AddSingleton<IPostConfigureOptions<InfoOptions>, EnvironmentDefault>();
        services.AddSingleton(sp => UiSettingsFactory.Create(sp));

        if (!readsKafka)
        {
            services.AddUpstream();
        }
        else
        {
            services.AddEventStreamsIntake();

            // Order matters: the catalogue loads first, then the embedded broker gets its topics, then demo data flows.
            services.AddHostedService<StreamCatalogReloader>();
            services.AddHostedService<EmbeddedTopics>();
            services.AddHostedService<DemoProducer>();
            services.AddHostedService(sp => sp.GetRequiredService<SharedPartitionReader>());
            services.AddHostedService(sp => sp.GetRequiredService<KafkaHealth>());
        }

        services.AddEventStreamsHealth(readsKafka);
        services.AddSingleton<MetricsServer>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricsServer>());

        // SignalR logs every error a hub method throws, a client's bad stream name included, at error level with a stack;
        // the hub logs those once, at the level they deserve.
        builder.Logging.AddFilter(StreamHub.DispatcherLogCategory, LogLevel.Critical);
        // An unready check would log an error on every probe of /readyz; KafkaHealth and the catalogue log the cause once.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.Critical);
        // Kestrel's log scope per connection would be held by every idle stream; no log line shows it unless scopes are asked for.
        if (!NoLogScopes.IsWanted(builder.Configuration))
        {
            services.AddSingleton<IExternalScopeProvider>(NoLogScopes.Instance);
        }

        // Kestrel holds its connection's log scope for the connection's life, and a logger with several providers that keep
        // scopes of their own wraps theirs in one more object (48 bytes, and 32 more for a third provider). The debugger's
        // provider writes only to an attached debugger: Kestrel's lines stay off it, and each idle stream holds 32 bytes less.
        builder.Logging.AddFilter<DebugLoggerProvider>("Microsoft.AspNetCore.Server.Kestrel", LogLevel.None);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Room for a long Last-Event-ID, so that an oversized one gets our JSON 400 rather than a bare 431.
            kestrel.Limits.MaxRequestHeadersTotalSize = 1536 * 1024;
            kestrel.Limits.MaxRequestBufferSize = 2 * 1024 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 200;
            // The same for an id in ?last_event_id= (browsers' first request): our JSON 400 up to here, Kestrel's bare 414 beyond.
            kestrel.Limits.MaxRequestLineSize = 64 * 1024;
            // Streams idle for long stretches; Streaming:StalledClientSeconds is the one rule for clients that stop reading.
            kestrel.Limits.MinResponseDataRate = null;
        });
        return builder;
    }

    private static StreamMetrics NewMetrics(IServiceProvider services)
    {
        var kafka = services.GetRequiredService<KafkaHealth>();
        var catalog = services.GetRequiredService<StreamCatalog>();
        return new StreamMetrics(
            services.GetRequiredService<IOptions<MetricsOptions>>(),
            () => new KafkaReadings(kafka.IsReachable, kafka.UnreachableFor, kafka.Outages),
            () => new CatalogReadings(catalog.ReloadFailures, catalog.IsLoaded ? catalog.Current.Streams.Count : 0));
    }
}
