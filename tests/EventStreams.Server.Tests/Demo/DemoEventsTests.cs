using System.Text.Json;
using EventStreams.Server.Demo;
using Microsoft.Extensions.Time.Testing;

namespace EventStreams.Server.Tests.Demo;

public sealed class DemoEventsTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 14, 12, 30, 15, TimeSpan.Zero);

    private static List<List<DemoEvent>> Generate(int actions, int seed = 42)
    {
        using var generator = new DemoEvents(new FakeTimeProvider(Now), new Random(seed));
        var result = new List<List<DemoEvent>>(actions);
        for (var i = 0; i < actions; i++)
        {
            var batch = new List<DemoEvent>();
            var count = generator.NextAction(batch);
            Assert.Equal(batch.Count, count);
            result.Add(batch);
        }

        return result;
    }

    private static JsonElement Parse(DemoEvent e) => JsonDocument.Parse(e.Value).RootElement;

    [Fact]
    public void NextAction_ManyActions_EveryEventHasItsStreamsShape()
    {
        var events = Generate(3000).SelectMany(b => b).ToList();

        Assert.All(events, e =>
        {
            var json = Parse(e);
            if (e.ViaIntake)
            {
                AssertBrowserEvent(json, e.Stream);
                return;
            }

            AssertMeta(json, e.Stream);
            switch (e.Stream)
            {
                case DemoStreams.RecentChange: AssertRecentChange(json); break;
                case DemoStreams.RevisionCreate or DemoStreams.PageCreate: AssertRevisionCreate(json); break;
                case DemoStreams.TestEvent: Assert.Equal("specific test value", json.GetProperty("test").GetString()); break;
                default: Assert.Fail($"Unexpected stream {e.Stream}"); break;
            }
        });
    }

    [Fact]
    public void NextAction_PageCreation_YieldsRecentChangeNewPageCreateAndRevisionCreateOfOneRevision()
    {
        var batch = Generate(2000).First(b => b.Any(e => e.Stream == DemoStreams.PageCreate && Parse(e).GetProperty("meta").GetProperty("domain").GetString() != "canary"));

        var recentChange = Parse(Assert.Single(batch, e => e.Stream == DemoStreams.RecentChange));
        var pageCreate = Parse(Assert.Single(batch, e => e.Stream == DemoStreams.PageCreate));
        var revisionCreate = Parse(Assert.Single(batch, e => e.Stream == DemoStreams.RevisionCreate));
        Assert.Equal("new", recentChange.GetProperty("type").GetString());
        var revision = recentChange.GetProperty("revision").GetProperty("new").GetInt64();
        Assert.Equal(revision, pageCreate.GetProperty("rev_id").GetInt64());
        Assert.Equal(revision, revisionCreate.GetProperty("rev_id").GetInt64());
        Assert.Equal(pageCreate.GetProperty("page_id").GetInt64(), revisionCreate.GetProperty("page_id").GetInt64());
        Assert.Equal(recentChange.GetProperty("title").GetString()!.Replace(' ', '_'), pageCreate.GetProperty("page_title").GetString());
        Assert.False(pageCreate.TryGetProperty("rev_parent_id", out _));
    }

    [Fact]
    public void NextAction_ManyActions_NaturallyIncreasingIdsIncrease()
    {
        var events = Generate(3000).SelectMany(b => b).ToList();

        AssertIncreasing(events.Where(e => e.Stream == DemoStreams.RecentChange).Select(e => Parse(e).GetProperty("id").GetInt64()));
        AssertIncreasing(events.Where(e => e.Stream == DemoStreams.RevisionCreate).Select(e => Parse(e).GetProperty("rev_id").GetInt64()));
        AssertIncreasing(events.Where(e => e.Stream == DemoStreams.PageCreate).Select(e => Parse(e).GetProperty("page_id").GetInt64()));
        AssertIncreasing(events.Select(Parse).Where(j => j.TryGetProperty("log_id", out _)).Select(j => j.GetProperty("log_id").GetInt64()));
    }

    [Fact]
    public void NextAction_ManyActions_RealisticMix()
    {
        var events = Generate(5000).SelectMany(b => b).Select(e => (e.Stream, Json: Parse(e), e.ViaIntake)).ToList();
        var changes = events.Where(e => e.Stream == DemoStreams.RecentChange).Select(e => e.Json).ToList();
        double Share(string stream) => events.Count(e => e.Stream == stream) / (double)events.Count;

        Assert.Equal(["categorize", "edit", "log", "new"], changes.Select(c => c.GetProperty("type").GetString()).Distinct().Order(StringComparer.Ordinal));
        Assert.True(changes.Select(c => c.GetProperty("wiki").GetString()).Distinct().Count() >= 5);
        Assert.Contains(changes, c => c.GetProperty("bot").GetBoolean());
        Assert.Contains(changes, c => System.Net.IPAddress.TryParse(c.GetProperty("user").GetString(), out _));
        Assert.InRange(Share(DemoStreams.RecentChange), 0.5, 0.7);
        Assert.InRange(events.Count(e => e.ViaIntake) / (double)events.Count, 0.02, 0.1);
        Assert.InRange(Share(DemoStreams.PageCreate), 0.01, 0.06);
        Assert.True(events.Select(e => e.Json.GetProperty("meta").GetProperty("domain").GetString()).Count(d => d == "canary") is > 0 and < 50);
        Assert.True(events.Where(e => e.ViaIntake).Select(e => e.Json.GetProperty("$schema").GetString()).Distinct().Count() >= 4);
    }

    [Fact]
    public void NextAction_SameSeed_SameEvents()
    {
        var first = Generate(50, seed: 7).SelectMany(b => b).Select(e => e.Value);
        var second = Generate(50, seed: 7).SelectMany(b => b).Select(e => e.Value);

        Assert.Equal(first, second);
    }

    private static void AssertIncreasing(IEnumerable<long> ids)
    {
        var list = ids.ToList();
        Assert.True(list.Count > 10, $"only {list.Count} ids");
        Assert.All(list.Zip(list.Skip(1)), pair => Assert.True(pair.First < pair.Second, $"{pair.First} then {pair.Second}"));
    }

    private static void AssertMeta(JsonElement json, string stream)
    {
        var meta = json.GetProperty("meta");
        Assert.Equal(stream, meta.GetProperty("stream").GetString());
        Assert.True(Guid.TryParse(meta.GetProperty("id").GetString(), out _));
        Assert.True(Guid.TryParse(meta.GetProperty("request_id").GetString(), out _));
        Assert.Equal(Now, DateTimeOffset.Parse(meta.GetProperty("dt").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.StartsWith("https://", meta.GetProperty("uri").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(meta.GetProperty("domain").GetString()));
        // The server injects these; a producer that wrote them would be lying about positions.
        Assert.False(meta.TryGetProperty("topic", out _));
        Assert.False(meta.TryGetProperty("partition", out _));
        Assert.False(meta.TryGetProperty("offset", out _));
    }

    private static void AssertRecentChange(JsonElement json)
    {
        Assert.Equal("/mediawiki/recentchange/1.0.0", json.GetProperty("$schema").GetString());
        var type = json.GetProperty("type").GetString();
        var serverUrl = json.GetProperty("server_url").GetString()!;
        Assert.True(json.GetProperty("id").GetInt64() > 0);
        Assert.True(json.GetProperty("namespace").GetInt32() >= 0);
        Assert.False(string.IsNullOrEmpty(json.GetProperty("title").GetString()));
        Assert.StartsWith(serverUrl + "/wiki/", json.GetProperty("title_url").GetString(), StringComparison.Ordinal);
        Assert.Equal(Now.ToUnixTimeSeconds(), json.GetProperty("timestamp").GetInt64());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("user").GetString()));
        Assert.Equal(JsonValueKind.String, json.GetProperty("comment").ValueKind);
        Assert.Equal(JsonValueKind.String, json.GetProperty("parsedcomment").ValueKind);
        Assert.Equal("https://" + json.GetProperty("server_name").GetString(), serverUrl);
        Assert.Equal("/w", json.GetProperty("server_script_path").GetString());
        Assert.Matches("^[a-z]+$", json.GetProperty("wiki").GetString());
        _ = json.GetProperty("bot").GetBoolean();
        switch (type)
        {
            case "edit":
                Assert.True(json.GetProperty("revision").GetProperty("old").GetInt64() < json.GetProperty("revision").GetProperty("new").GetInt64());
                Assert.True(json.GetProperty("length").GetProperty("old").GetInt32() >= 0);
                _ = json.GetProperty("minor").GetBoolean();
                Assert.Contains("diff=", json.GetProperty("notify_url").GetString(), StringComparison.Ordinal);
                break;
            case "new":
                Assert.False(json.GetProperty("revision").TryGetProperty("old", out _));
                Assert.True(json.GetProperty("length").GetProperty("new").GetInt32() > 0);
                break;
            case "log":
                Assert.True(json.GetProperty("log_id").GetInt64() > 0);
                Assert.False(string.IsNullOrEmpty(json.GetProperty("log_type").GetString()));
                Assert.False(string.IsNullOrEmpty(json.GetProperty("log_action").GetString()));
                Assert.True(json.GetProperty("log_params").ValueKind is JsonValueKind.Object or JsonValueKind.Array);
                Assert.False(json.TryGetProperty("revision", out _));
                break;
            case "categorize":
                Assert.Equal(14, json.GetProperty("namespace").GetInt32());
                Assert.StartsWith("[[:", json.GetProperty("comment").GetString(), StringComparison.Ordinal);
                Assert.StartsWith("<a href=", json.GetProperty("parsedcomment").GetString(), StringComparison.Ordinal);
                break;
            default:
                Assert.Fail($"Unexpected type {type}");
                break;
        }
    }

    private static void AssertRevisionCreate(JsonElement json)
    {
        Assert.Equal("/mediawiki/revision/create/2.0.0", json.GetProperty("$schema").GetString());
        Assert.Matches("^[a-z]+$", json.GetProperty("database").GetString());
        Assert.True(json.GetProperty("page_id").GetInt64() > 0);
        Assert.DoesNotContain(' ', json.GetProperty("page_title").GetString()!);
        Assert.True(json.GetProperty("page_namespace").GetInt32() >= 0);
        Assert.True(json.GetProperty("rev_id").GetInt64() > 0);
        Assert.Equal(Now, DateTimeOffset.Parse(json.GetProperty("rev_timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(json.GetProperty("rev_len").GetInt32() >= 0);
        Assert.Contains(json.GetProperty("rev_content_model").GetString(), new[] { "wikitext", "wikibase-item", "wikibase-property", "wikibase-lexeme" });
        var performer = json.GetProperty("performer");
        Assert.False(string.IsNullOrEmpty(performer.GetProperty("user_text").GetString()));
        Assert.Contains("*", performer.GetProperty("user_groups").EnumerateArray().Select(g => g.GetString()));
        _ = performer.GetProperty("user_is_bot").GetBoolean();
        Assert.Equal(JsonValueKind.String, json.GetProperty("comment").ValueKind);
        if (json.TryGetProperty("rev_parent_id", out var parent))
        {
            Assert.True(parent.GetInt64() < json.GetProperty("rev_id").GetInt64());
        }
    }

    /// <summary>What a browser sends: no <c>meta.id</c> or <c>meta.dt</c> (the intake adds them), and a <c>$schema</c>.</summary>
    private static void AssertBrowserEvent(JsonElement json, string stream)
    {
        var meta = json.GetProperty("meta");
        Assert.Equal(stream, meta.GetProperty("stream").GetString());
        Assert.False(meta.TryGetProperty("id", out _));
        Assert.False(meta.TryGetProperty("dt", out _));
        Assert.StartsWith("/", json.GetProperty("$schema").GetString(), StringComparison.Ordinal);
    }
}
