namespace EventStreams.Server.Demo;

internal sealed partial class DemoEvents
{
    private static readonly string[] Qualifiers = [" (album)", " (2026 film)", " (disambiguation)", " (river)", " (band)", " (footballer, born 2001)"];

    /// <summary>What an edit or a page creation changed; shared by its recentchange, revision-create and page-create events.</summary>
    private sealed record PageChange(
        DemoWiki Wiki, DemoUser User, int Namespace, string Title, long PageId, long RevisionId, long? ParentId,
        int OldLength, int NewLength, bool Minor, string Comment, DateTimeOffset At, bool Canary)
    {
        public bool IsNewPage => ParentId is null;
    }

    private void Edit(List<DemoEvent> batch, DemoWiki wiki, bool newPage, bool canary)
    {
        var user = PickUser();
        var (ns, baseTitle) = newPage ? NewTitle(wiki, user) : ExistingTitle(wiki);
        var title = wiki.FullTitle(ns, baseTitle);
        var revision = ++_revisionId;
        var oldLength = newPage ? 0 : _random.Next(400, 150_000);
        var change = new PageChange(
            wiki, user, ns, title,
            PageId: newPage ? ++_pageId : 1 + DemoHash.Of(wiki.Database + title) % 79_000_000,
            RevisionId: revision,
            ParentId: newPage ? null : revision - _random.Next(1_000, 5_000_000),
            oldLength,
            NewLength: newPage ? _random.Next(80, 6_000) : Math.Max(0, oldLength + _random.Next(-300, 1_500)),
            Minor: !newPage && _random.Next(4) == 0,
            Comment: newPage ? NewPageComment(wiki, baseTitle) : Pick(wiki.Comments),
            _time.GetUtcNow(),
            canary);

        batch.Add(RecentChange(change));
        if (newPage)
        {
            batch.Add(Revision(change, DemoStreams.PageCreate));
        }

        batch.Add(Revision(change, DemoStreams.RevisionCreate));
    }

    private (int Namespace, string Title) ExistingTitle(DemoWiki wiki)
    {
        var roll = _random.Next(100);
        if (wiki.IsWikidata)
        {
            return roll < 90 ? (0, "Q" + _random.NextInt64(1, _itemId))
                : roll < 94 ? (146, "L" + _random.Next(1, 1_400_000))
                : roll < 96 ? (120, "P" + _random.Next(1, 13_000))
                : (3, Pick(DemoCorpus.People));
        }

        if (wiki.IsCommons)
        {
            return roll < 65 ? (6, FileName())
                : roll < 85 ? (14, Pick(wiki.Categories))
                : roll < 93 ? (0, Pick(wiki.Titles))
                : (3, Pick(DemoCorpus.People));
        }

        return roll < 70 ? (0, Pick(wiki.Titles))
            : roll < 78 ? (1, Pick(wiki.Titles))
            : roll < 90 ? (3, _random.Next(3) == 0 ? Pick(DemoCorpus.Addresses) : Pick(DemoCorpus.People))
            : roll < 95 ? (2, Pick(DemoCorpus.People) + "/sandbox")
            : (14, Pick(wiki.Categories));
    }

    private (int Namespace, string Title) NewTitle(DemoWiki wiki, DemoUser user)
    {
        if (wiki.IsWikidata)
        {
            return (0, "Q" + ++_itemId);
        }

        if (wiki.IsCommons)
        {
            return (6, FileName());
        }

        var roll = _random.Next(100);
        return roll < 35 ? (3, Pick(DemoCorpus.People))
            : roll < 50 && !user.IsAnonymous ? (2, user.Name + "/sandbox")
            : roll < 65 && wiki.Namespaces.ContainsKey(118) ? (118, Pick(wiki.Titles) + Pick(Qualifiers))
            : (0, Pick(wiki.Titles) + Pick(Qualifiers));
    }

    private string FileName() => $"{Pick(DemoCorpus.FileSubjects)} {_random.Next(1_000, 99_999)}.jpg";

    private static string NewPageComment(DemoWiki wiki, string title) => wiki.Database switch
    {
        "wikidatawiki" => "/* wbeditentity-create-item:0| */",
        "commonswiki" => "Uploaded own work with UploadWizard",
        "dewiki" => $"Neue Seite: „'''{title}''' ist …“",
        "frwiki" => $"Page créée avec « '''{title}''' est … »",
        "eswiki" => $"Página creada con «'''{title}''' es …»",
        _ => $"Created page with \"'''{title}''' is …\"",
    };
}
