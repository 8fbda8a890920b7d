namespace EventStreams.Server.Demo;

/// <summary>
/// The made-up people and pages the demo edits. Names are invented and addresses come from the
/// documentation ranges (RFC 5737, RFC 3849), so nothing here points at a real person or host.
/// </summary>
internal static class DemoCorpus
{
    private static readonly Dictionary<int, string> English = new()
    {
        [1] = "Talk", [2] = "User", [3] = "User talk", [4] = "Wikipedia", [6] = "File", [10] = "Template", [14] = "Category", [118] = "Draft",
    };

    public static readonly IReadOnlyList<DemoWiki> Wikis =
    [
        new("enwiki", "en.wikipedia.org", 30, false, English,
            ["Albert Einstein", "Python (programming language)", "2026 FIFA World Cup", "Mount Everest", "Climate change", "Byzantine Empire",
             "Photosynthesis", "Kyoto", "The Beatles", "List of highest-grossing films", "Solar eclipse of August 12, 2026", "Ada Lovelace"],
            ["Fixed typo", "/* Early life */ expanded with sources", "Added citation", "copyedit", "/* References */ fix broken link",
             "Undid revision by [[Special:Contributions/192.0.2.44|192.0.2.44]] ([[User talk:192.0.2.44|talk]])", "Updated infobox", "[[WP:AES|←]]Rm unsourced claim"],
            ["Living people", "Articles with short description", "1879 births", "Mountains of Asia", "All articles with unsourced statements"]),
        new("dewiki", "de.wikipedia.org", 8, true,
            new Dictionary<int, string> { [1] = "Diskussion", [2] = "Benutzer", [3] = "Benutzer Diskussion", [4] = "Wikipedia", [6] = "Datei", [10] = "Vorlage", [14] = "Kategorie" },
            ["Berlin", "Johann Wolfgang von Goethe", "Fußball-Weltmeisterschaft 2026", "Rhein", "Deutsche Bahn", "Zugspitze", "Bundestagswahl 2025", "Köln"],
            ["Tippfehler korrigiert", "/* Leben */ Ergänzung mit Beleg", "Belege ergänzt", "Linkfix", "Änderungen rückgängig gemacht", "Kategorie ergänzt"],
            ["Mann", "Frau", "Ort in Nordrhein-Westfalen", "Berg in den Alpen", "Wikipedia:Belege fehlen"]),
        new("frwiki", "fr.wikipedia.org", 7, false,
            new Dictionary<int, string> { [1] = "Discussion", [2] = "Utilisateur", [3] = "Discussion utilisateur", [4] = "Wikipédia", [6] = "Fichier", [10] = "Modèle", [14] = "Catégorie" },
            ["Paris", "Victor Hugo", "Tour de France 2026", "Révolution française", "Mont Blanc", "Marseille", "Édith Piaf", "Liste des communes de France"],
            ["Correction orthographique", "/* Biographie */ ajout de source", "Annulation de la modification", "typo", "mise en forme", "+ catégorie"],
            ["Portail:France/Articles liés", "Naissance en 1802", "Commune des Bouches-du-Rhône", "Article à référence nécessaire"]),
        new("eswiki", "es.wikipedia.org", 5, true,
            new Dictionary<int, string> { [1] = "Discusión", [2] = "Usuario", [3] = "Usuario discusión", [4] = "Wikipedia", [6] = "Archivo", [10] = "Plantilla", [14] = "Categoría" },
            ["Madrid", "Miguel de Cervantes", "Copa Mundial de Fútbol de 2026", "Río Amazonas", "Frida Kahlo", "Buenos Aires"],
            ["Corregida ortografía", "/* Biografía */ referencias", "Revertidos los cambios", "ortografía", "Añadir enlace interno"],
            ["Hombres", "Pintoras de México", "Ríos de América del Sur"]),
        new("commonswiki", "commons.wikimedia.org", 18, true,
            new Dictionary<int, string> { [1] = "Talk", [2] = "User", [3] = "User talk", [4] = "Commons", [6] = "File", [10] = "Template", [14] = "Category" },
            ["Main Page", "Paris", "Birds", "Trains", "Mountains", "Lighthouses"],
            ["Uploaded a work by the uploader with UploadWizard", "/* wbeditentity-update:0| */ Adding structured data", "Quick categorization",
             "/* wbsetclaim-create:2||1 */ [[d:Special:EntityPage/P180]]: [[d:Special:EntityPage/Q7075]]", "removed [[Category:Uncategorized]]"],
            ["Lighthouses in Brittany", "Trains in Germany", "Sunsets", "Birds of Europe", "Media needing categories"]),
        new("wikidatawiki", "www.wikidata.org", 28, true,
            new Dictionary<int, string> { [1] = "Talk", [2] = "User", [3] = "User talk", [4] = "Wikidata", [120] = "Property", [146] = "Lexeme" },
            [],
            ["/* wbsetclaim-create:2||1 */ [[Property:P31]]: [[Q5]]", "/* wbsetdescription-add:1|en */ Wikimedia category", "/* wbsetlabel-set:1|de */ Bahnhof",
             "/* wbsetreference-add:2| */ [[Property:P569]]: 12 March 1879", "/* wbeditentity-create-item:0| */", "/* wbsetaliases-add:1|fr */ Tour Eiffel",
             "/* wbsetsitelink-add:1|enwiki */ Ada Lovelace"],
            []),
        new("enwiktionary", "en.wiktionary.org", 4, true,
            new Dictionary<int, string> { [1] = "Talk", [2] = "User", [3] = "User talk", [4] = "Wiktionary", [10] = "Template", [14] = "Category" },
            ["run", "set", "serendipity", "Wörterbuch", "chat", "merci", "gato"],
            ["/* English */ add sense", "/* Etymology */", "add translation", "t+de:[[Wörterbuch]]", "rfv"],
            ["English lemmas", "German nouns", "French interjections"]),
    ];

    public static readonly IReadOnlyList<string> People =
    [
        "Kestrel Lane", "Orinoco88", "Anna.K", "Wikifan2024", "Mara Oyelaran", "Zebulon", "Hélène M.", "Jürgen W.", "Tamsin-R", "Lukas Brandt",
        "Sofía Quispe", "Pavel Dvořák", "Yuki Tanabe", "Amadou Diallo", "Ingrid Solberg", "Rohan Iyer", "Old Map Collector", "Fernweh", "Quillon", "Bluebell",
    ];

    public static readonly IReadOnlyList<string> Bots = ["CitationBot", "ArchiverBot", "LinkRescueBot", "DeltaBot", "CategorySorterBot", "LabelBot"];

    public static readonly IReadOnlyList<string> Addresses =
    [
        "192.0.2.17", "192.0.2.44", "198.51.100.7", "198.51.100.203", "203.0.113.9", "203.0.113.150", "2001:DB8:85A3:0:0:8A2E:370:7334", "2001:DB8:0:0:1:0:0:1",
    ];

    public static readonly IReadOnlyList<string> FileSubjects =
    [
        "Lighthouse at dusk", "Steam locomotive 52 8154", "Eurasian blue tit", "Old town square", "Alpine meadow", "Harbour crane", "Cathedral nave", "Street market",
    ];
}
