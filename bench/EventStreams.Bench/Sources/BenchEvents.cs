using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EventStreams.Bench.Sources;

/// <summary>
/// Realistic ~1 KB recentchange-like events. The first fields are the benchmark's own: a sequence key
/// (topic index × 256 + partition), a sequence number per key and the production time in µs since the epoch,
/// so that the load generator finds them cheaply and counts gaps and latency.
/// </summary>
internal static class BenchEvents
{
    public const int KeysPerTopic = 256;

    private static readonly string[] Wikis = ["enwiki", "dewiki", "frwiki", "commonswiki", "wikidatawiki", "jawiki", "eswiki"];
    private static readonly string[] Users = ["Alice", "Bob", "Carol", "DerBot", "Émilie", "Ōtani", "Zoë-K", "192.0.2.17"];
    private static readonly string[] Titles = ["Main Page", "Kafka (software)", "Server-sent events", "Liste der Städte in Japan", "Q42", "東京都", "Photosynthesis"];
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static long NowMicros() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;

    /// <summary>One event's JSON. With <paramref name="offset"/> set, <c>meta</c> also carries the Kafka position, as the server would inject it.</summary>
    public static byte[] Create(string stream, int key, long seq, long micros, string? topic = null, int partition = 0, long offset = -1)
    {
        var buffer = new ArrayBufferWriter<byte>(1280);
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            var i = (int)(seq % 7);
            var wiki = Wikis[i];
            var title = Titles[(int)(seq % Titles.Length)];
            var user = Users[(int)(seq % Users.Length)];
            var seconds = micros / 1_000_000;
            var dt = DateTimeOffset.FromUnixTimeMilliseconds(micros / 1000).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
            w.WriteStartObject();
            w.WriteString("$schema", "/mediawiki/recentchange/1.0.0");
            w.WriteNumber("bench_k", key);
            w.WriteNumber("bench_seq", seq);
            w.WriteNumber("bench_ts", micros);
            w.WriteStartObject("meta");
            w.WriteString("uri", $"https://{wiki[..2]}.wikipedia.org/wiki/{title.Replace(' ', '_')}");
            w.WriteString("request_id", Guid.NewGuid().ToString());
            w.WriteString("id", Guid.NewGuid().ToString());
            w.WriteString("dt", dt);
            w.WriteString("domain", $"{wiki[..2]}.wikipedia.org");
            w.WriteString("stream", stream);
            if (topic is not null)
            {
                w.WriteString("topic", topic);
                w.WriteNumber("partition", partition);
                w.WriteNumber("offset", offset);
            }

            w.WriteEndObject();
            w.WriteNumber("id", 1_700_000_000 + seq);
            w.WriteString("type", i == 3 ? "new" : "edit");
            w.WriteNumber("namespace", i % 3);
            w.WriteString("title", title);
            w.WriteString("title_url", $"https://{wiki[..2]}.wikipedia.org/wiki/{title.Replace(' ', '_')}");
            w.WriteString("comment", "/* History */ copyedit, fixed a citation template and tidied the references section; see talk page for the discussion about the infobox");
            w.WriteNumber("timestamp", seconds);
            w.WriteString("user", user);
            w.WriteBoolean("bot", user.EndsWith("Bot", StringComparison.Ordinal));
            w.WriteString("notify_url", $"https://{wiki[..2]}.wikipedia.org/w/index.php?diff={1_200_000_000 + seq}&oldid={1_199_999_000 + seq}");
            w.WriteBoolean("minor", i % 2 == 0);
            w.WriteBoolean("patrolled", i % 3 == 0);
            w.WriteStartObject("length");
            w.WriteNumber("old", 10_000 + i * 37);
            w.WriteNumber("new", 10_050 + i * 41);
            w.WriteEndObject();
            w.WriteStartObject("revision");
            w.WriteNumber("old", 1_199_999_000 + seq);
            w.WriteNumber("new", 1_200_000_000 + seq);
            w.WriteEndObject();
            w.WriteString("server_url", $"https://{wiki[..2]}.wikipedia.org");
            w.WriteString("server_name", $"{wiki[..2]}.wikipedia.org");
            w.WriteString("server_script_path", "/w");
            w.WriteString("wiki", wiki);
            w.WriteString("parsedcomment", "<span dir=\"auto\"><span class=\"autocomment\"><a href=\"/wiki/Example#History\">→‎History</a>: </span> copyedit, fixed a citation template and tidied the references section</span>");
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
