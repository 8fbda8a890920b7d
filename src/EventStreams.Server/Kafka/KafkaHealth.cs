using System.Globalization;
using Confluent.Kafka;
using EventStreams.Server.Diagnostics;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Kafka;

/// <summary>
/// Whether Kafka answers, from a cheap metadata request every <see cref="KafkaHealthOptions.ProbeIntervalMilliseconds"/>
/// on a thread of its own (librdkafka's calls block). A down broker is noticed within interval + timeout (3 s by default);
/// new streams are refused at once while it lasts, and <see cref="OutageNotice"/> ends running ones once it has lasted
/// <see cref="KafkaHealthOptions.OutageNoticeSeconds"/>.
/// </summary>
internal sealed partial class KafkaHealth : BackgroundService
{
    private readonly KafkaClients _kafka;
    private readonly KafkaHealthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<KafkaHealth> _logger;
    /// <summary>The timeout of the probe librdkafka's "all brokers down" triggers: a live cluster answers a metadata request well within it.</summary>
    private const int HintedProbeTimeoutMilliseconds = 500;

    private readonly Lock _gate = new();
    private readonly AutoResetEvent _probeNow = new(false);
    private CancellationTokenSource _notice = new();
    private long _unreachableSince;
    private long _outages;
    private volatile bool _reachable = true;

    public KafkaHealth(KafkaClients kafka, IOptions<KafkaHealthOptions> options, TimeProvider time, ILogger<KafkaHealth> logger)
    {
        _kafka = kafka;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>False from the first failed probe until one succeeds again.</summary>
    public bool IsReachable => _reachable;

    /// <summary>How long the current outage has lasted; zero while Kafka answers.</summary>
    public TimeSpan UnreachableFor => _reachable ? TimeSpan.Zero : _time.GetElapsedTime(Interlocked.Read(ref _unreachableSince));

    /// <summary>Outages seen since start.</summary>
    public long Outages => Interlocked.Read(ref _outages);

    public string? LastError { get; private set; }

    /// <summary>The outage as a refused client reads it: <c>unreachable for N s (last error)</c>.</summary>
    public string OutageReason => string.Create(CultureInfo.InvariantCulture, $"unreachable for {UnreachableFor.TotalSeconds:0} s ({LastError ?? "no answer"})");

    /// <summary>Cancelled when the current outage has lasted the notice time; a new token after Kafka is back.</summary>
    public CancellationToken OutageNotice => Volatile.Read(ref _notice).Token;

    public TimeSpan RetryAfter => TimeSpan.FromSeconds(_options.RetryAfterSeconds);

    /// <summary>Whether running streams should be told now: the outage has lasted the notice time.</summary>
    public bool OutageNoticeDue => _options.OutageNoticeSeconds > 0 && UnreachableFor >= TimeSpan.FromSeconds(_options.OutageNoticeSeconds);

    public OutageNotice NoticeMode => _options.OutageNotice;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // librdkafka says at once when every broker connection is gone; the probe confirms the end of it.
        _kafka.ErrorReported += OnKafkaError;
        stoppingToken.Register(() => _kafka.ErrorReported -= OnKafkaError);
        return DedicatedThread.Start("kafka-health", () => Run(stoppingToken)).Ended;
    }

    private void OnKafkaError(Error error)
    {
        if (error.Code == ErrorCode.Local_AllBrokersDown)
        {
            // Only a hint (an idle connection closed by a broker looks the same): probe at once, with a short timeout.
            _probeNow.Set();
        }
    }

    private void Run(CancellationToken stoppingToken)
    {
        using var admin = _kafka.CreateAdminClient(config =>
        {
            // After an outage, find out within about a second that the broker is back (librdkafka backs off up to 10 s).
            config.ReconnectBackoffMaxMs = 1000;
            config.SocketConnectionSetupTimeoutMs = Math.Max(1000, _options.ProbeTimeoutMilliseconds);
        });
        var timeout = TimeSpan.FromMilliseconds(_options.ProbeTimeoutMilliseconds);
        var hintedTimeout = TimeSpan.FromMilliseconds(Math.Min(_options.ProbeTimeoutMilliseconds, HintedProbeTimeoutMilliseconds));
        var interval = TimeSpan.FromMilliseconds(_options.ProbeIntervalMilliseconds);
        var hinted = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = _time.GetTimestamp();
            try
            {
                var metadata = admin.GetMetadata(hinted ? hintedTimeout : timeout);
                if (metadata.Brokers.Count == 0)
                {
                    throw new KafkaException(ErrorCode.Local_AllBrokersDown);
                }

                Reachable();
                // The same answer tells running streams about partitions added to their topics.
                _kafka.Observe(metadata);
            }
            catch (KafkaException e)
            {
                Unreachable(e.Error.Reason);
            }

            var rest = interval - _time.GetElapsedTime(started);
            if (rest > TimeSpan.Zero)
            {
                hinted = WaitHandle.WaitAny([stoppingToken.WaitHandle, _probeNow], rest) == 1;
            }
            else
            {
                hinted = _probeNow.WaitOne(0);
            }
        }
    }

    private void Reachable()
    {
        lock (_gate)
        {
            ReachableLocked();
        }
    }

    private void ReachableLocked()
    {
        if (_reachable)
        {
            return;
        }

        var lasted = UnreachableFor;
        // The old source is not disposed: a stream may be reading its token right now (it holds no timer).
        Volatile.Write(ref _notice, new CancellationTokenSource());
        _reachable = true;
        LastError = null;
        LogReachable(_logger, lasted.TotalSeconds);
    }

    private void Unreachable(string reason)
    {
        lock (_gate)
        {
            UnreachableLocked(reason);
        }
    }

    private void UnreachableLocked(string reason)
    {
        LastError = reason;
        if (_reachable)
        {
            Interlocked.Exchange(ref _unreachableSince, _time.GetTimestamp());
            Interlocked.Increment(ref _outages);
            _reachable = false;
            LogUnreachable(_logger, reason);
        }

        var notice = Volatile.Read(ref _notice);
        if (!notice.IsCancellationRequested && OutageNoticeDue)
        {
            LogNotice(_logger, UnreachableFor.TotalSeconds, _options.OutageNotice.ToString());
            notice.Cancel();
        }
    }

    public override void Dispose()
    {
        _notice.Dispose();
        _probeNow.Dispose();
        base.Dispose();
    }

    [LoggerMessage(LogEventIds.KafkaUnreachable, LogLevel.Error, "Kafka is unreachable: {Reason}. New streams get 503 kafka_unavailable until it answers again")]
    private static partial void LogUnreachable(ILogger logger, string reason);

    [LoggerMessage(LogEventIds.KafkaReachableAgain, LogLevel.Information, "Kafka is reachable again after {Seconds:0.0} s")]
    private static partial void LogReachable(ILogger logger, double seconds);

    [LoggerMessage(LogEventIds.KafkaOutageNotice, LogLevel.Warning, "Kafka unreachable for {Seconds:0.0} s: telling the running streams ({Notice})")]
    private static partial void LogNotice(ILogger logger, double seconds, string notice);
}
