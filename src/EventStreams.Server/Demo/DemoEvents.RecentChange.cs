namespace EventStreams.Server.Demo;

internal sealed partial class DemoEvents
{
    private const string RecentChangeSchema = "/mediawiki/recentchange/1.0.0";

    /// <summary>The <c>edit</c> or <c>new</c> recentchange event of a page change.</summary>
    private DemoEvent RecentChange(PageChange change)
    {
        var wiki = change.Wiki;
        WriteRecentChangeHead(wiki, change.IsNewPage ? "new" : "edit", change.Namespace, change.Title, change.Comment, change.User, change.At, change.Canary);
        _writer.WriteString("notify_url", change.ParentId is { } parent
            ? $"{wiki.ServerUrl}/w/index.php?diff={change.RevisionId}&oldid={parent}"
            : $"{wiki.ServerUrl}/w/index.php?oldid={change.RevisionId}&rcid={_recentChangeId}");
        _writer.WriteBoolean("minor", change.Minor);
        if (wiki.Patrolling)
        {
            _writer.WriteBoolean("patrolled", change.User.IsBot || _random.Next(3) == 0);
        }

        _writer.WriteStartObject("length");
        if (!change.IsNewPage)
        {
            _writer.WriteNumber("old", change.OldLength);
        }

        _writer.WriteNumber("new", change.NewLength);
        _writer.WriteEndObject();
        _writer.WriteStartObject("revision");
        if (change.ParentId is { } oldRevision)
        {
            _writer.WriteNumber("old", oldRevision);
        }

        _writer.WriteNumber("new", change.RevisionId);
        _writer.WriteEndObject();
        WriteRecentChangeTail(wiki, change.Title, change.Comment);
        return End(DemoStreams.RecentChange);
    }

    /// <summary>A page was added to a category: the category page's <c>categorize</c> event.</summary>
    private DemoEvent Categorize(DemoWiki wiki, bool canary)
    {
        var user = PickUser();
        var page = wiki.IsCommons ? wiki.FullTitle(6, FileName()) : Pick(wiki.Titles);
        var comment = wiki.Database switch
        {
            "dewiki" => $"[[:{page}]] zur Kategorie hinzugefügt",
            "frwiki" => $"[[:{page}]] ajoutée à la catégorie",
            "eswiki" => $"[[:{page}]] añadida a la categoría",
            _ => $"[[:{page}]] added to category",
        };
        var category = wiki.FullTitle(14, Pick(wiki.Categories));
        var revision = ++_revisionId;

        WriteRecentChangeHead(wiki, "categorize", 14, category, comment, user, _time.GetUtcNow(), canary);
        _writer.WriteString("notify_url", $"{wiki.ServerUrl}/w/index.php?diff={revision}&oldid={revision - _random.Next(1_000, 900_000)}");
        WriteRecentChangeTail(wiki, category, comment);
        return End(DemoStreams.RecentChange);
    }

    /// <summary>A <c>log</c> event: account creations, blocks, deletions, moves, thanks, uploads.</summary>
    private DemoEvent LogEntry(DemoWiki wiki, bool canary)
    {
        var user = PickUser();
        var admin = new DemoUser(Pick(DemoCorpus.People), IsBot: false, IsAnonymous: false);
        var page = wiki.IsWikidata ? "Q" + _random.NextInt64(1, _itemId) : Pick(wiki.Titles);
        var kind = wiki.IsCommons && _random.Next(2) == 0 ? 5 : _random.Next(5);
        if (wiki.IsWikidata && kind == 3)
        {
            kind = 0; // items are not moved
        }

        var at = _time.GetUtcNow();
        switch (kind)
        {
            case 0:
                var newcomer = new DemoUser(Pick(DemoCorpus.People) + _random.Next(10, 9999), IsBot: false, IsAnonymous: false);
                WriteLogHead(wiki, 2, wiki.FullTitle(2, newcomer.Name), "", newcomer, at, canary, "newusers", "create");
                _writer.WriteStartObject("log_params");
                _writer.WriteNumber("userid", newcomer.Id);
                _writer.WriteEndObject();
                _writer.WriteString("log_action_comment", "New user account");
                WriteRecentChangeTail(wiki, "", "");
                break;
            case 1:
                var address = Pick(DemoCorpus.Addresses);
                var blocked = wiki.FullTitle(2, address);
                WriteLogHead(wiki, 2, blocked, "Vandalism", admin, at, canary, "block", "block");
                _writer.WriteStartObject("log_params");
                _writer.WriteString("duration", "31 hours");
                _writer.WriteString("flags", "anononly,nocreate");
                _writer.WriteEndObject();
                _writer.WriteString("log_action_comment", $"blocked [[{blocked}|{address}]] with an expiration time of 31 hours (anon. users only, account creation blocked): Vandalism");
                WriteRecentChangeTail(wiki, blocked, "Vandalism");
                break;
            case 2:
                const string Reason = "[[WP:CSD#G11|G11]]: Unambiguous advertising or promotion";
                WriteLogHead(wiki, 0, page, Reason, admin, at, canary, "delete", "delete");
                _writer.WriteStartArray("log_params");
                _writer.WriteEndArray();
                _writer.WriteString("log_action_comment", $"deleted \"[[{page}]]\": {Reason}");
                WriteRecentChangeTail(wiki, page, Reason);
                break;
            case 3:
                var target = page + Pick(Qualifiers);
                WriteLogHead(wiki, 0, page, "more precise title", user, at, canary, "move", "move");
                _writer.WriteStartObject("log_params");
                _writer.WriteString("target", target);
                _writer.WriteString("noredir", "0");
                _writer.WriteEndObject();
                _writer.WriteString("log_action_comment", $"moved [[{page}]] to [[{target}]]: more precise title");
                WriteRecentChangeTail(wiki, page, "more precise title");
                break;
            case 4:
                var thanked = Pick(DemoCorpus.People);
                WriteLogHead(wiki, 2, wiki.FullTitle(2, thanked), "", admin, at, canary, "thanks", "thank");
                _writer.WriteStartArray("log_params");
                _writer.WriteEndArray();
                _writer.WriteString("log_action_comment", $"{admin.Name} thanked {thanked}");
                WriteRecentChangeTail(wiki, "", "");
                break;
            default:
                var file = wiki.FullTitle(6, FileName());
                const string Upload = "Uploaded own work with UploadWizard";
                WriteLogHead(wiki, 6, file, Upload, user.IsAnonymous ? admin : user, at, canary, "upload", "upload");
                _writer.WriteStartObject("log_params");
                _writer.WriteString("img_sha1", Sha1Base36());
                _writer.WriteString("img_timestamp", IsoSeconds(at));
                _writer.WriteEndObject();
                _writer.WriteString("log_action_comment", $"uploaded \"[[{file}]]\": {Upload}");
                WriteRecentChangeTail(wiki, file, Upload);
                break;
        }

        return End(DemoStreams.RecentChange);
    }

    private void WriteLogHead(DemoWiki wiki, int ns, string title, string comment, DemoUser user, DateTimeOffset at, bool canary, string type, string action)
    {
        WriteRecentChangeHead(wiki, "log", ns, title, comment, user, at, canary);
        _writer.WriteNumber("log_id", ++_logId);
        _writer.WriteString("log_type", type);
        _writer.WriteString("log_action", action);
    }

    private void WriteRecentChangeHead(DemoWiki wiki, string type, int ns, string title, string comment, DemoUser user, DateTimeOffset at, bool canary)
    {
        var url = wiki.PageUrl(title);
        Begin(RecentChangeSchema);
        WriteMeta(DemoStreams.RecentChange, url, wiki.Domain, at, canary);
        _writer.WriteNumber("id", ++_recentChangeId);
        _writer.WriteString("type", type);
        _writer.WriteNumber("namespace", ns);
        _writer.WriteString("title", title);
        _writer.WriteString("title_url", url);
        _writer.WriteString("comment", comment);
        _writer.WriteNumber("timestamp", at.ToUnixTimeSeconds());
        _writer.WriteString("user", user.Name);
        _writer.WriteBoolean("bot", user.IsBot);
    }

    private void WriteRecentChangeTail(DemoWiki wiki, string title, string comment)
    {
        _writer.WriteString("server_url", wiki.ServerUrl);
        _writer.WriteString("server_name", wiki.Domain);
        _writer.WriteString("server_script_path", "/w");
        _writer.WriteString("wiki", wiki.Database);
        _writer.WriteString("parsedcomment", DemoParsedComment.Format(wiki, title, comment));
    }
}
