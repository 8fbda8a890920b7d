using EventStreams.Server.Catalog;

namespace EventStreams.Server.Tests.Catalog;

public sealed class StreamConfigParserTests
{
    [Fact]
    public void Parse_ApiShape_ResolvesTopicsFromExplicitPrefixesOrName()
    {
        const string json = """
            {"streams": {
              "a": {"topics": ["t1", "t2"], "description": "A", "schema_title": "s/a"},
              "b": {"topic_prefixes": ["eqiad.", "codfw."]},
              "c": {},
              "/regex.*/": {"topics": ["x"]}
            }}
            """;

        var catalog = StreamConfigParser.Parse(json, "test.json", new StreamConfigOptions());

        Assert.Equal(["t1", "t2"], catalog.Streams["a"].Topics);
        Assert.Equal("A", catalog.Streams["a"].Description);
        Assert.Equal("s/a", catalog.Streams["a"].SchemaTitle);
        Assert.Equal(["eqiad.b", "codfw.b"], catalog.Streams["b"].Topics);
        Assert.Equal(["c"], catalog.Streams["c"].Topics);
        Assert.False(catalog.Streams.ContainsKey("/regex.*/"));
    }

    [Fact]
    public void Parse_DefaultsOverridesAllowedAndAliases_Applied()
    {
        const string yaml = """
            query:
              streamconfigs:
                mediawiki.recentchange: {description: rc}
                other: {topic_prefixes: [x.]}
                hidden: {}
                empty: {topics: []}
            """;
        var options = new StreamConfigOptions
        {
            ObjectPath = "query.streamconfigs",
            Defaults = new StreamSettings { TopicPrefixes = ["eqiad.", "codfw."] },
        };
        options.Overrides["other"] = new StreamSettings { TopicPrefixes = ["y."], TopicsAllowed = ["y.other", "legacy"] };
        options.AllowedStreams.AddRange(["mediawiki.recentchange", "other", "empty"]);
        options.Aliases["recentchange"] = "mediawiki.recentchange";

        var catalog = StreamConfigParser.Parse(yaml, "test.yaml", options);

        Assert.Equal(["eqiad.mediawiki.recentchange", "codfw.mediawiki.recentchange"], catalog.Streams["mediawiki.recentchange"].Topics);
        Assert.Equal(["y.other"], catalog.Streams["other"].Topics);
        Assert.True(catalog.Streams["other"].TopicsAllowed.SetEquals(["y.other", "legacy"]));
        Assert.False(catalog.Streams.ContainsKey("hidden"));
        Assert.False(catalog.Streams.ContainsKey("empty"));
        Assert.Equal("mediawiki.recentchange", catalog.Streams["recentchange"].AliasOf);
        Assert.Equal(catalog.Streams["mediawiki.recentchange"].Topics, catalog.Streams["recentchange"].Topics);
    }

    [Theory]
    [InlineData("streams: {a: [unclosed", "not valid YAML or JSON")]
    [InlineData("- just\n- a list", "must be a mapping")]
    [InlineData("streams: {a: {topics: []}}", "declares no stream")]
    [InlineData("streams: {a: {topics: {x: 1}}}", "'topics' of stream 'a'")]
    [InlineData("streams: {a: 5}", "settings of stream 'a'")]
    public void Parse_Malformed_ThrowsNamingFileAndProblem(string text, string problem)
    {
        var e = Assert.Throws<StreamConfigException>(() => StreamConfigParser.Parse(text, "/etc/streams.yaml", new StreamConfigOptions()));

        Assert.Contains("/etc/streams.yaml", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingObjectPath_NamesThePath()
    {
        var e = Assert.Throws<StreamConfigException>(() =>
            StreamConfigParser.Parse("a: {b: {}}", "f.yaml", new StreamConfigOptions { ObjectPath = "a.c" }));

        Assert.Contains("'a.c'", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> DeepDocuments => new()
    {
        "streams: " + new string('[', 10_000) + new string(']', 10_000),
        new string('[', 10_000),
        string.Concat(Enumerable.Repeat("{a: ", 20_000)) + "1" + new string('}', 20_000),
        "{\"streams\": " + string.Concat(Enumerable.Repeat("{\"a\": ", 20_000)) + "{}" + new string('}', 20_001),
        string.Concat(Enumerable.Range(0, 1_000).Select(i => new string(' ', i) + "a:\n")) + new string(' ', 1_000) + "b: 1\n",
    };

    [Theory]
    [MemberData(nameof(DeepDocuments))]
    public void Parse_NestedBeyondLimit_ThrowsInsteadOfOverflowingTheStack(string text)
    {
        var e = Assert.Throws<StreamConfigException>(() => StreamConfigParser.Parse(text, "deep.json", new StreamConfigOptions()));

        Assert.Contains("deep.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NestedWithinLimit_Parses()
    {
        var nested = string.Concat(Enumerable.Repeat("{a: ", StreamConfigOptions.MaxDepth - 4)) + "1" + new string('}', StreamConfigOptions.MaxDepth - 4);

        var catalog = StreamConfigParser.Parse($"streams: {{s: {{topics: [t], extra: {nested}}}}}", "ok.yaml", new StreamConfigOptions());

        Assert.Equal(["t"], catalog.Streams["s"].Topics);
    }

    [Fact]
    public void Parse_StreamAliasesFromDocumentDefaultsAndOverrides_ServeTheSameTopics()
    {
        const string yaml = """
            streams:
              mediawiki.recentchange: {stream_aliases: [recentchange], destination_event_service: eventgate-main}
              mediawiki.page-create: {}
              test.event: {stream_aliases: [test]}
              plain: {}
            """;
        var options = new StreamConfigOptions { Defaults = new StreamSettings { TopicPrefixes = ["eqiad."], StreamAliases = [] } };
        options.Overrides["mediawiki.page-create"] = new StreamSettings { StreamAliases = ["page-create"] };
        options.Overrides["test.event"] = new StreamSettings { StreamAliases = ["test", "test-event"] };

        var catalog = StreamConfigParser.Parse(yaml, "test.yaml", options);

        Assert.Equal("mediawiki.recentchange", catalog.Streams["recentchange"].AliasOf);
        Assert.Equal(["eqiad.mediawiki.recentchange"], catalog.Streams["recentchange"].Topics);
        Assert.Equal("eventgate-main", catalog.Streams["recentchange"].DestinationEventService);
        Assert.Equal("eventgate-main", catalog.Streams["mediawiki.recentchange"].DestinationEventService);
        Assert.Equal(["recentchange"], catalog.Streams["mediawiki.recentchange"].StreamAliases);
        Assert.Equal("mediawiki.page-create", catalog.Streams["page-create"].AliasOf);
        Assert.Equal("test.event", catalog.Streams["test"].AliasOf);
        Assert.Equal("test.event", catalog.Streams["test-event"].AliasOf);
        Assert.Null(catalog.Streams["plain"].StreamAliases);
        Assert.Equal(8, catalog.Streams.Count);
    }

    [Fact]
    public void Parse_StreamAliasesFromDefaults_ApplyToEveryStreamThatHasNone()
    {
        var options = new StreamConfigOptions { Defaults = new StreamSettings { StreamAliases = ["shared"] } };

        var catalog = StreamConfigParser.Parse("streams: {b: {}, a: {}, c: {stream_aliases: [own]}}", "test.yaml", options);

        // Two streams claim "shared": the first by name wins, whatever the document's order.
        Assert.Equal("a", catalog.Streams["shared"].AliasOf);
        Assert.Equal("c", catalog.Streams["own"].AliasOf);
    }

    [Fact]
    public void Parse_StreamAliasNamingARealStream_NeverHidesIt()
    {
        const string yaml = "streams: {a: {stream_aliases: [b, a, '', /x/]}, b: {topics: [tb]}}";

        var catalog = StreamConfigParser.Parse(yaml, "test.yaml", new StreamConfigOptions());

        Assert.Null(catalog.Streams["b"].AliasOf);
        Assert.Equal(["tb"], catalog.Streams["b"].Topics);
        Assert.Null(catalog.Streams["a"].AliasOf);
        Assert.Equal(2, catalog.Streams.Count);
    }

    [Fact]
    public void Parse_StreamAliasesNotAList_ThrowsNamingTheStream()
    {
        var e = Assert.Throws<StreamConfigException>(() =>
            StreamConfigParser.Parse("streams: {a: {stream_aliases: {x: 1}}}", "f.yaml", new StreamConfigOptions()));

        Assert.Contains("'stream_aliases' of stream 'a'", e.Message, StringComparison.Ordinal);
    }
}
