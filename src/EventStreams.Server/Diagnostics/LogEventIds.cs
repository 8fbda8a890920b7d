namespace EventStreams.Server.Diagnostics;

/// <summary>
/// Every log event id of the server, one table so that each is unique and named (an operator filters on them; keep the
/// numbers stable). Ranges per folder: Catalog 1–99, Kafka 100–499, Streaming 500–599, Transports 600–799, Health 800–899,
/// Demo 900–999, Intake 1100–1199, Diagnostics 1200–1299, Upstream 9000–9099.
/// </summary>
internal static class LogEventIds
{
    public const int CatalogLoaded = 1;
    public const int CatalogReloadFailed = 2;
    public const int CatalogReloadFailedAgain = 3;

    public const int EmbeddedClusterStarted = 100;
    public const int LibrdkafkaLog = 101;
    public const int KafkaError = 102;
    public const int KafkaErrorAgain = 103;
    public const int KafkaUnreachable = 110;
    public const int KafkaReachableAgain = 111;
    public const int KafkaOutageNotice = 112;
    public const int SharedReaderStarted = 200;
    public const int SharedReaderStoppedIdle = 201;
    public const int SkippedNonJsonMessage = 202;
    public const int SharedReaderError = 203;
    public const int TimeLookupBinarySearch = 300;
    public const int CatchUpReaderFailed = 400;

    public const int OffsetExpired = 500;
    public const int OffsetBeyondEnd = 501;
    public const int HistoryBusy = 502;

    public const int ClientStalled = 600;
    public const int StreamFailed = 601;
    public const int HubClientStalled = 602;
    public const int StreamEndedByServer = 651;
    public const int HubStreamRefused = 700;
    public const int HubStreamFailed = 701;

    public const int StreamRemovedFromCatalog = 800;
    public const int ShutdownDraining = 810;

    public const int DemoProducing = 900;
    public const int DemoProduceFailed = 901;
    public const int DemoQueueFull = 902;
    public const int DemoIntakeFailed = 903;

    public const int SchemaLoaded = 1100;
    public const int SchemaFetchFailed = 1101;
    public const int IntakeProduceWithoutWaitFailed = 1110;
    public const int IntakeProduceFailed = 1120;
    public const int IntakeNoErrorStream = 1121;
    public const int IntakeHastyRequestFailed = 1130;

    /// <summary>Was 700, which the hub also used.</summary>
    public const int MetricsListening = 1200;

    public const int UpstreamForwarding = 9001;
    public const int UpstreamAllowInvalidCertificate = 9002;
    public const int UpstreamCertificateRefused = 9003;
    public const int UpstreamForwardFailed = 9004;
    public const int UpstreamAnsweredError = 9005;
    public const int UpstreamSharedStreamFailed = 9006;
}
