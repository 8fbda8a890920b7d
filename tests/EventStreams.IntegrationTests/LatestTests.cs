using Xunit.Abstractions;

namespace EventStreams.IntegrationTests;

/// <summary>
/// "Latest" means after the request, in every form: no since, a since later than every event, and <c>{"offset":-1}</c>.
/// The partition's shared reader is already running (another client keeps it), so what the broker acknowledged just
/// before the request may not have been read yet when the request arrives.
/// </summary>
public sealed class LatestTests(ITestOutputHelper output)
{
    private const int Rounds = 12;
    private const int BurstBefore = 200;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("no since")]
    [InlineData("future since")]
    [InlineData("offset -1")]
    public async Task Latest_EventsAcknowledgedJustBeforeConnecting_AreNeverDelivered(string form)
    {
        var topic = "latest." + form.Replace(' ', '-');
        await using var server = await TestServer.StartAsync($$"""
            streams:
              {{topic}}:
                topics: [{{topic}}]
            """);
        using var http = server.CreateClient();
        await using var keeper = await SseClient.ConnectAsync(http, $"v2/stream/{topic}");
        Assert.Equal("ok", (await keeper.ReadAsync(Wait))!.Comment);
        var future = DateTimeOffset.UtcNow.AddHours(1);
        var leaked = 0;

        for (var round = 0; round < Rounds; round++)
        {
            // Each round asks for a later time than the previous round's marker.
            var since = future.AddHours(round);
            await Task.WhenAll(Enumerable.Range(0, BurstBefore).Select(i => server.ProduceAsync(topic, 0, $$"""{"before":{{round}}}""")));
            var (path, id) = form switch
            {
                "no since" => ($"v2/stream/{topic}", null),
                "future since" => ($"v2/stream/{topic}?since={since.ToUnixTimeMilliseconds()}", null),
                _ => ($"v2/stream/{topic}", $$"""[{"topic":"{{topic}}","partition":0,"offset":-1}]"""),
            };
            await using var sse = await SseClient.ConnectAsync(http, path, id);
            Assert.Equal("ok", (await sse.ReadAsync(Wait))!.Comment);
            await server.ProduceAsync(topic, 0, $$"""{"after":{{round}}}""", timestamp: since.AddMilliseconds(1));

            var first = (await sse.NextEventAsync(Wait)).Json;
            if (!first.TryGetProperty("after", out var after))
            {
                leaked++;
                continue;
            }

            Assert.Equal(round, after.GetInt32());
        }

        output.WriteLine($"{form}: {leaked} of {Rounds} connections received an event acknowledged before they connected");
        Assert.Equal(0, leaked);
    }
}
