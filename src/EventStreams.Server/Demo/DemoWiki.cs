namespace EventStreams.Server.Demo;

/// <summary>One wiki the demo pretends to be, with enough local colour (namespaces, titles, comments) to look real.</summary>
internal sealed record DemoWiki(
    string Database,
    string Domain,
    int Weight,
    bool Patrolling,
    IReadOnlyDictionary<int, string> Namespaces,
    IReadOnlyList<string> Titles,
    IReadOnlyList<string> Comments,
    IReadOnlyList<string> Categories)
{
    public string ServerUrl => "https://" + Domain;

    public bool IsWikidata => Database == "wikidatawiki";

    public bool IsCommons => Database == "commonswiki";

    /// <summary>The page title with its namespace prefix, as MediaWiki displays it.</summary>
    public string FullTitle(int ns, string title) =>
        ns == 0 || !Namespaces.TryGetValue(ns, out var prefix) ? title : prefix + ":" + title;

    public string PageUrl(string fullTitle) => ServerUrl + "/wiki/" + UrlEncode(fullTitle);

    /// <summary>Like MediaWiki's <c>wfUrlencode</c>: spaces as underscores, and the punctuation it leaves readable kept as is.</summary>
    public static string UrlEncode(string title)
    {
        var escaped = Uri.EscapeDataString(title.Replace(' ', '_'));
        foreach (var (code, plain) in Readable)
        {
            escaped = escaped.Replace(code, plain, StringComparison.Ordinal);
        }

        return escaped;
    }

    private static readonly (string Code, string Plain)[] Readable =
        [("%3A", ":"), ("%2F", "/"), ("%28", "("), ("%29", ")"), ("%2C", ","), ("%21", "!"), ("%2A", "*"), ("%40", "@"), ("%24", "$"), ("%3B", ";")];
}
