using EventStreams.Server.Diagnostics;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Intake;

/// <summary>Registers the event intake: schema lookup, validation, producing.</summary>
internal static class IntakeServices
{
    public static IServiceCollection AddEventStreamsIntake(this IServiceCollection services)
    {
        services.AddOptions<IntakeOptions>().BindConfiguration(IntakeOptions.Section).ValidateDataAnnotations()
            .Validate<IOptions<KafkaOptions>>(
                (intake, kafka) => intake.Enabled != true || kafka.Value.UsesEmbeddedBroker || !string.IsNullOrWhiteSpace(intake.EventServiceName),
                "Intake:EventServiceName is required when Intake:Enabled=true with a Kafka cluster: it names the streams (by destination_event_service) this intake may produce to.")
            .ValidateOnStart();
        services.AddOptions<SchemaOptions>().BindConfiguration(SchemaOptions.Section).ValidateDataAnnotations()
            .Validate(schemas => schemas.BaseUris.All(SchemaOptions.IsUsableBase),
                "Schemas:BaseUris: each must be an http(s):// URL, a file:// URL or a folder that exists.")
            .ValidateOnStart();
        services.AddHttpClient(nameof(SchemaRepository));
        services.AddSingleton<SchemaRepository>();
        services.AddSingleton<IntakeStreams>();
        services.AddSingleton<EventValidator>();
        services.AddSingleton<IntakeProducer>();
        services.AddSingleton(sp =>
        {
            var streams = sp.GetRequiredService<IntakeStreams>();
            return new IntakeMetrics(sp.GetRequiredService<StreamMetrics>(), name => streams.Find(name) is not null);
        });
        services.AddSingleton<EventIntake>();
        services.AddSingleton<HastySlots>();
        return services;
    }
}
