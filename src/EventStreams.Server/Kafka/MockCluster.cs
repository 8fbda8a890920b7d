using System.Runtime.InteropServices;

namespace EventStreams.Server.Kafka;

/// <summary>
/// librdkafka's in-process mock cluster: a real Kafka-protocol broker on 127.0.0.1 that keeps
/// messages in memory. Used as the embedded default broker and in tests.
/// </summary>
public sealed partial class MockCluster : IDisposable
{
    private nint _rk;
    private nint _cluster;

    public MockCluster(int brokerCount = 1)
    {
        LibrdkafkaLoader.EnsureRegistered();
        var conf = NativeMethods.rd_kafka_conf_new();
        var error = new byte[512];
        // The handle only hosts the cluster; without this it warns that it has no bootstrap servers.
        NativeMethods.rd_kafka_conf_set(conf, "log_level", "3", error, (nuint)error.Length);
        _rk = NativeMethods.rd_kafka_new(0, conf, error, (nuint)error.Length);
        if (_rk == 0)
        {
            throw new InvalidOperationException($"Could not create the mock cluster's host handle: {System.Text.Encoding.UTF8.GetString(error).TrimEnd('\0')}");
        }

        _cluster = NativeMethods.rd_kafka_mock_cluster_new(_rk, brokerCount);
        if (_cluster == 0)
        {
            NativeMethods.rd_kafka_destroy(_rk);
            throw new InvalidOperationException("Could not create the mock cluster.");
        }

        BootstrapServers = Marshal.PtrToStringAnsi(NativeMethods.rd_kafka_mock_cluster_bootstraps(_cluster))
            ?? throw new InvalidOperationException("The mock cluster has no bootstrap address.");
    }

    public string BootstrapServers { get; }

    public void CreateTopic(string topic, int partitions = 1)
    {
        var err = NativeMethods.rd_kafka_mock_topic_create(_cluster, topic, partitions, 1);
        if (err != 0)
        {
            throw new InvalidOperationException($"Could not create topic {topic}: librdkafka error {err}.");
        }
    }

    public void SetBrokerDown(int brokerId = -1) => Check(NativeMethods.rd_kafka_mock_broker_set_down(_cluster, brokerId), "set broker down");

    public void SetBrokerUp(int brokerId = -1) => Check(NativeMethods.rd_kafka_mock_broker_set_up(_cluster, brokerId), "set broker up");

    /// <summary>From now on the broker records every request it receives (for <see cref="TakeRequestCounts"/>).</summary>
    public void StartRequestTracking() => NativeMethods.rd_kafka_mock_start_request_tracking(_cluster);

    /// <summary>Requests received since tracking started or since the last call, per Kafka API key (0 Produce, 1 Fetch, 3 Metadata, ...).</summary>
    public Dictionary<short, long> TakeRequestCounts()
    {
        var counts = new Dictionary<short, long>();
        var requests = NativeMethods.rd_kafka_mock_get_requests(_cluster, out var count);
        if (requests != 0)
        {
            for (nuint i = 0; i < count; i++)
            {
                var key = NativeMethods.rd_kafka_mock_request_api_key(Marshal.ReadIntPtr(requests, (int)i * IntPtr.Size));
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }

            NativeMethods.rd_kafka_mock_request_destroy_array(requests, count);
        }

        NativeMethods.rd_kafka_mock_clear_requests(_cluster);
        return counts;
    }

    private static void Check(int err, string what)
    {
        if (err != 0)
        {
            throw new InvalidOperationException($"Mock cluster could not {what}: librdkafka error {err}.");
        }
    }

    public void Dispose()
    {
        if (_cluster != 0)
        {
            NativeMethods.rd_kafka_mock_cluster_destroy(_cluster);
            _cluster = 0;
        }

        if (_rk != 0)
        {
            NativeMethods.rd_kafka_destroy(_rk);
            _rk = 0;
        }
    }

    private static partial class NativeMethods
    {
        private const string Lib = "librdkafka";

        [LibraryImport(Lib)]
        internal static partial nint rd_kafka_conf_new();

        [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int rd_kafka_conf_set(nint conf, string name, string value, [Out] byte[] errstr, nuint errstrSize);

        [LibraryImport(Lib)]
        internal static partial nint rd_kafka_new(int type, nint conf, [Out] byte[] errstr, nuint errstrSize);

        [LibraryImport(Lib)]
        internal static partial nint rd_kafka_mock_cluster_new(nint rk, int brokerCount);

        [LibraryImport(Lib)]
        internal static partial nint rd_kafka_mock_cluster_bootstraps(nint cluster);

        [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int rd_kafka_mock_topic_create(nint cluster, string topic, int partitions, int replicationFactor);

        [LibraryImport(Lib)]
        internal static partial int rd_kafka_mock_broker_set_down(nint cluster, int brokerId);

        [LibraryImport(Lib)]
        internal static partial int rd_kafka_mock_broker_set_up(nint cluster, int brokerId);

        [LibraryImport(Lib)]
        internal static partial void rd_kafka_mock_start_request_tracking(nint cluster);

        [LibraryImport(Lib)]
        internal static partial nint rd_kafka_mock_get_requests(nint cluster, out nuint count);

        [LibraryImport(Lib)]
        internal static partial short rd_kafka_mock_request_api_key(nint request);

        [LibraryImport(Lib)]
        internal static partial void rd_kafka_mock_request_destroy_array(nint requests, nuint count);

        [LibraryImport(Lib)]
        internal static partial void rd_kafka_mock_clear_requests(nint cluster);

        [LibraryImport(Lib)]
        internal static partial void rd_kafka_mock_cluster_destroy(nint cluster);

        [LibraryImport(Lib)]
        internal static partial void rd_kafka_destroy(nint rk);
    }
}
