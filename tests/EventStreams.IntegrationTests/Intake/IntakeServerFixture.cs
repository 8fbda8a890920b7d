namespace EventStreams.IntegrationTests.Intake;

/// <summary>A server on the embedded broker taking events for the <c>eventgate-test</c> streams, with the test's schema repository.</summary>
public sealed class IntakeServerFixture : IAsyncLifetime, IDisposable
{
    public const string Config = """
        streams:
          intake.good:
            schema_title: test/intake
            destination_event_service: eventgate-test
            topic_prefixes: [eqiad., codfw.]
          intake.other:
            schema_title: test/other
            destination_event_service: eventgate-test
            topic_prefixes: [eqiad.]
          intake.defaults:
            schema_title: test/defaults
            destination_event_service: eventgate-test
            topic_prefixes: [eqiad.]
          intake.elsewhere:
            schema_title: test/intake
            destination_event_service: eventgate-elsewhere
            topic_prefixes: [eqiad.]
          eventgate-test.error.validation:
            schema_title: error
            destination_event_service: eventgate-test
            topic_prefixes: [eqiad., codfw.]
        """;

    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxEvents = 500;

    private readonly SchemaRepo _schemas = new();

    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync(Config, 1,
        $"--Schemas:BaseUris:0={_schemas.Folder}",
        "--Intake:EventServiceName=eventgate-test",
        $"--Intake:MaxBodyBytes={MaxBodyBytes}",
        $"--Intake:MaxEventsPerRequest={MaxEvents}",
        "--Intake:MaxDepth=16");

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public void Dispose() => _schemas.Dispose();
}
