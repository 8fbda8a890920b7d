using EventStreams.Server.Kafka;
using System.Text;
using System.Text.Json;
using EventStreams.Server.Streaming;

namespace EventStreams.Server.Tests.Kafka;

public sealed class EventEncoderTests
{
    private static JsonElement Encode(string value, string? key = null)
    {
        var e = EventEncoder.TryEncode("eqiad.rc", 2, 4711, 1000, key is null ? [] : Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value));
        Assert.NotNull(e);
        Assert.DoesNotContain((byte)'\n', e.Json);
        return JsonDocument.Parse(e.Json).RootElement;
    }

    [Fact]
    public void TryEncode_InjectsPositionKeepsEverythingElse()
    {
        var json = Encode("""{"$schema":"/x/1.0.0","meta":{"stream":"rc","dt":"2024-01-01T00:00:00Z","offset":1},"title":"Zürich <b>","n":1.50}""");

        Assert.Equal("eqiad.rc", json.GetProperty("meta").GetProperty("topic").GetString());
        Assert.Equal(2, json.GetProperty("meta").GetProperty("partition").GetInt32());
        Assert.Equal(4711, json.GetProperty("meta").GetProperty("offset").GetInt64());
        Assert.Equal("rc", json.GetProperty("meta").GetProperty("stream").GetString());
        Assert.Equal("/x/1.0.0", json.GetProperty("$schema").GetString());
        Assert.Equal("Zürich <b>", json.GetProperty("title").GetString());
        Assert.Equal("1.50", json.GetProperty("n").GetRawText());
    }

    [Fact]
    public void TryEncode_NoMeta_AddsMeta()
    {
        Assert.Equal(4711, Encode("""{"a":1}""").GetProperty("meta").GetProperty("offset").GetInt64());
    }

    [Fact]
    public void TryEncode_Keys_JsonOrString()
    {
        Assert.Equal(5, Encode("{}", """{"id":5}""").GetProperty("meta").GetProperty("key").GetProperty("id").GetInt32());
        Assert.Equal("enwiki", Encode("{}", "enwiki").GetProperty("meta").GetProperty("key").GetString());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("42")]
    [InlineData("{\"a\":")]
    public void TryEncode_NotAJsonObject_ReturnsNull(string value)
    {
        Assert.Null(EventEncoder.TryEncode("t", 0, 0, 0, [], Encoding.UTF8.GetBytes(value)));
    }
}
