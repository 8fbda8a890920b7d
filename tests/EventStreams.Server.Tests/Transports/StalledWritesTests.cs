using System.Buffers;
using System.IO.Pipelines;
using EventStreams.Server.Streaming;
using EventStreams.Server.Transports;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EventStreams.Server.Tests.Transports;

/// <summary>One timer for the server gives up flushes a client does not take within the stall time, and nothing else.</summary>
public sealed class StalledWritesTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly StalledWrites _stalls;
    // A client whose socket takes 16 bytes before it pushes back.
    private readonly Pipe _client = new(new PipeOptions(pauseWriterThreshold: 16, resumeWriterThreshold: 8, useSynchronizationContext: false));

    public StalledWritesTests() => _stalls = new StalledWrites(Options.Create(new StreamingOptions { StalledClientSeconds = 30 }), _time);

    public void Dispose() => _stalls.Dispose();

    [Fact]
    public async Task Flush_ClientTakesNothing_GivenUpAfterTheStallTime()
    {
        _client.Writer.Write(new byte[64]);

        var flush = _stalls.FlushAsync(_client.Writer, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(29));
        var early = flush.IsCompleted;
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(early);
        await Assert.ThrowsAsync<ClientStalledException>(() => flush.WaitAsync(Wait));
    }

    [Fact]
    public async Task Flush_ClientTakesTheDataInTime_CompletesAndLaterFlushesGetTheirOwnTime()
    {
        _client.Writer.Write(new byte[64]);
        var first = _stalls.FlushAsync(_client.Writer, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(25));
        await ReadAllAsync();
        await first.WaitAsync(Wait);
        _time.Advance(TimeSpan.FromSeconds(60));

        _client.Writer.Write(new byte[64]);
        var second = _stalls.FlushAsync(_client.Writer, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(29));
        var stalledEarly = second.IsCompleted;
        await ReadAllAsync();

        await second.WaitAsync(Wait);
        Assert.False(stalledEarly);
    }

    [Fact]
    public async Task Flush_TokenCancelled_GivesUpAtOnceWithoutWaitingForTheStallTime()
    {
        using var ending = new CancellationTokenSource();
        _client.Writer.Write(new byte[64]);
        var flush = _stalls.FlushAsync(_client.Writer, ending.Token).AsTask();

        await ending.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flush.WaitAsync(Wait));
    }

    private async Task ReadAllAsync()
    {
        var result = await _client.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        _client.Reader.AdvanceTo(result.Buffer.End);
    }
}
