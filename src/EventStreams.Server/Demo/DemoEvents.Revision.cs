namespace EventStreams.Server.Demo;

internal sealed partial class DemoEvents
{
    private const string RevisionCreateSchema = "/mediawiki/revision/create/2.0.0";

    /// <summary>A revision-create event (also the shape of page-create, whose stream only gets first revisions).</summary>
    private DemoEvent Revision(PageChange change, string stream)
    {
        var wiki = change.Wiki;
        var (model, format) = wiki.IsWikidata && change.Namespace is 0 or 120 or 146
            ? (change.Namespace switch { 120 => "wikibase-property", 146 => "wikibase-lexeme", _ => "wikibase-item" }, "application/json")
            : ("wikitext", "text/x-wiki");
        var sha1 = Sha1Base36();

        Begin(RevisionCreateSchema);
        WriteMeta(stream, wiki.PageUrl(change.Title), wiki.Domain, change.At, change.Canary);
        _writer.WriteString("database", wiki.Database);
        _writer.WriteNumber("page_id", change.PageId);
        _writer.WriteString("page_title", change.Title.Replace(' ', '_'));
        _writer.WriteNumber("page_namespace", change.Namespace);
        _writer.WriteNumber("rev_id", change.RevisionId);
        _writer.WriteString("rev_timestamp", IsoSeconds(change.At));
        _writer.WriteString("rev_sha1", sha1);
        _writer.WriteBoolean("rev_minor_edit", change.Minor);
        _writer.WriteNumber("rev_len", change.NewLength);
        _writer.WriteString("rev_content_model", model);
        _writer.WriteString("rev_content_format", format);
        WritePerformer(change.User);
        _writer.WriteBoolean("page_is_redirect", false);
        _writer.WriteString("comment", change.Comment);
        _writer.WriteString("parsedcomment", DemoParsedComment.Format(wiki, change.Title, change.Comment));
        _writer.WriteString("dt", IsoSeconds(change.At));
        _writer.WriteStartObject("rev_slots");
        _writer.WriteStartObject("main");
        _writer.WriteString("rev_slot_content_model", model);
        _writer.WriteString("rev_slot_sha1", sha1);
        _writer.WriteNumber("rev_slot_size", change.NewLength);
        _writer.WriteNumber("rev_slot_origin_rev_id", change.RevisionId);
        _writer.WriteEndObject();
        _writer.WriteEndObject();
        if (change.ParentId is { } parent)
        {
            _writer.WriteNumber("rev_parent_id", parent);
            _writer.WriteBoolean("rev_content_changed", change.OldLength != change.NewLength);
        }

        return End(stream);
    }

    private void WritePerformer(DemoUser user)
    {
        _writer.WriteStartObject("performer");
        _writer.WriteString("user_text", user.Name);
        _writer.WriteStartArray("user_groups");
        foreach (var group in user.Groups)
        {
            _writer.WriteStringValue(group);
        }

        _writer.WriteEndArray();
        _writer.WriteBoolean("user_is_bot", user.IsBot);
        if (!user.IsAnonymous)
        {
            _writer.WriteNumber("user_id", user.Id);
            _writer.WriteString("user_registration_dt", IsoSeconds(user.Registered));
            _writer.WriteNumber("user_edit_count", user.EditCount);
        }

        _writer.WriteEndObject();
    }
}
