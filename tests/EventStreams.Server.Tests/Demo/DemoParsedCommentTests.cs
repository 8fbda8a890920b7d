using EventStreams.Server.Demo;

namespace EventStreams.Server.Tests.Demo;

public sealed class DemoParsedCommentTests
{
    private static readonly DemoWiki English = DemoCorpus.Wikis.Single(w => w.Database == "enwiki");

    [Fact]
    public void Format_SectionAndLink_BecomeHtmlLinks()
    {
        var html = DemoParsedComment.Format(English, "Ada Lovelace", "/* Early life */ see [[Charles Babbage|Babbage]]");

        Assert.Equal(
            "<span dir=\"auto\"><span class=\"autocomment\"><a href=\"/wiki/Ada_Lovelace#Early_life\" title=\"Ada Lovelace\">→‎Early life</a>: </span>"
            + "see <a href=\"https://en.wikipedia.org/wiki/Charles_Babbage\" title=\"Charles Babbage\">Babbage</a></span>",
            html);
    }

    [Fact]
    public void Format_MarkupAndNonAscii_EscapesOnlyWhatHtmlNeeds()
    {
        var html = DemoParsedComment.Format(English, "X", "Änderung <b>\"'&");

        Assert.Equal("Änderung &lt;b&gt;&quot;&#039;&amp;", html);
    }
}
