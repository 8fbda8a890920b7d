using System.Text.RegularExpressions;

namespace EventStreams.Server.Demo;

/// <summary>A small imitation of MediaWiki's comment formatter: section links and wiki links as HTML, the rest escaped.</summary>
internal static partial class DemoParsedComment
{
    public static string Format(DemoWiki wiki, string pageTitle, string comment)
    {
        var html = Escape(comment);
        html = Section().Replace(html, m =>
            $"<span dir=\"auto\"><span class=\"autocomment\"><a href=\"/wiki/{Href(pageTitle)}#{Href(m.Groups[1].Value)}\" title=\"{pageTitle}\">→‎{m.Groups[1].Value}</a>{(m.Groups[2].Length > 0 ? ": " : "")}</span>{m.Groups[2].Value}</span>");
        html = Link().Replace(html, m =>
        {
            var target = m.Groups[1].Value.TrimStart(':');
            var label = m.Groups[2].Success ? m.Groups[2].Value : target;
            return $"<a href=\"{wiki.ServerUrl}/wiki/{Href(target)}\" title=\"{target}\">{label}</a>";
        });
        return html;
    }

    private static string Href(string title) => DemoWiki.UrlEncode(title);

    /// <summary>PHP's <c>htmlspecialchars</c> with ENT_QUOTES, as MediaWiki uses it; other characters stay as they are.</summary>
    private static string Escape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal)
        .Replace("'", "&#039;", StringComparison.Ordinal);

    [GeneratedRegex(@"^/\* (.+?) \*/ ?(.*)$")]
    private static partial Regex Section();

    [GeneratedRegex(@"\[\[([^|\]]+)(?:\|([^\]]+))?\]\]")]
    private static partial Regex Link();
}
