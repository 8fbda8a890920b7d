using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EventStreams.Server.Demo;

/// <summary>
/// Generates realistic Wikimedia-shaped events, one wiki action at a time (an edit yields a recentchange
/// and a revision-create event, a page creation also a page-create event). Ids that are naturally
/// increasing in the real streams (recentchange ids, revision, page and log ids) increase here too.
/// Not thread-safe: one producer loop owns an instance.
/// </summary>
internal sealed partial class DemoEvents : IDisposable
{
    /// <summary>Actions per thousand; the remainder after the last one is a canary event.</summary>
    private const int EditWeight = 600, NewPageWeight = 60, LogWeight = 110, CategorizeWeight = 180, BrowserEventsWeight = 40, TestEventWeight = 8;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Random _random;
    private readonly TimeProvider _time;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;
    private readonly int _totalWikiWeight = DemoCorpus.Wikis.Sum(w => w.Weight);

    private long _recentChangeId = 1_900_000_000;
    private long _revisionId = 1_250_000_000;
    private long _pageId = 80_000_000;
    private long _logId = 170_000_000;
    private long _itemId = 137_000_000;
    private long _sessionTick;

    public DemoEvents(TimeProvider time, Random? random = null)
    {
        _time = time;
        _random = random ?? new Random();
        _writer = new Utf8JsonWriter(_buffer, WriterOptions);
    }

    /// <summary>Appends the events of the next action to <paramref name="batch"/>; returns how many.</summary>
    public int NextAction(List<DemoEvent> batch)
    {
        var before = batch.Count;
        var roll = _random.Next(1000);
        if ((roll -= EditWeight) < 0)
        {
            Edit(batch, PickWiki(), newPage: false, canary: false);
        }
        else if ((roll -= NewPageWeight) < 0)
        {
            Edit(batch, PickWiki(), newPage: true, canary: false);
        }
        else if ((roll -= LogWeight) < 0)
        {
            batch.Add(LogEntry(PickWiki(), canary: false));
        }
        else if ((roll -= CategorizeWeight) < 0)
        {
            batch.Add(Categorize(PickWiki(w => w.Categories.Count > 0), canary: false));
        }
        else if ((roll -= BrowserEventsWeight) < 0)
        {
            BrowserEvents(batch, canary: false);
        }
        else if ((roll -= TestEventWeight) < 0)
        {
            batch.Add(TestEvent(canary: false));
        }
        else
        {
            Canary(batch);
        }

        return batch.Count - before;
    }

    /// <summary>Like WMF's canary events: ordinary-looking events with <c>meta.domain: "canary"</c>, one per stream in turn.</summary>
    private void Canary(List<DemoEvent> batch)
    {
        var wiki = DemoCorpus.Wikis[0];
        switch (_random.Next(5))
        {
            case 0: batch.Add(Categorize(wiki, canary: true)); break;
            case 1: BrowserEvents(batch, canary: true); break;
            case 2: batch.Add(TestEvent(canary: true)); break;
            default: Edit(batch, wiki, newPage: _random.Next(2) == 0, canary: true); break;
        }
    }

    private DemoWiki PickWiki(Func<DemoWiki, bool>? where = null)
    {
        while (true)
        {
            var roll = _random.Next(_totalWikiWeight);
            foreach (var wiki in DemoCorpus.Wikis)
            {
                if ((roll -= wiki.Weight) < 0)
                {
                    if (where is null || where(wiki))
                    {
                        return wiki;
                    }

                    break;
                }
            }
        }
    }

    private DemoUser PickUser()
    {
        var roll = _random.Next(100);
        return roll < 18 ? new DemoUser(Pick(DemoCorpus.Bots), IsBot: true, IsAnonymous: false)
            : roll < 35 ? new DemoUser(Pick(DemoCorpus.Addresses), IsBot: false, IsAnonymous: true)
            : new DemoUser(Pick(DemoCorpus.People), IsBot: false, IsAnonymous: false);
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>A random (version 4) UUID from our own generator, so seeded runs repeat exactly.</summary>
    private string Uuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString();
    }

    /// <summary>Like a git/MediaWiki base-36 SHA-1: 31 characters of [0-9a-z].</summary>
    private string Sha1Base36()
    {
        const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        return string.Create(31, _random, static (span, random) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Digits[random.Next(Digits.Length)];
            }
        });
    }

    private static string IsoMillis(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string IsoSeconds(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The <c>meta</c> object EventGate would have set (the server adds topic, partition and offset).</summary>
    private void WriteMeta(string stream, string uri, string domain, DateTimeOffset dt, bool canary)
    {
        _writer.WriteStartObject("meta");
        _writer.WriteString("uri", uri);
        _writer.WriteString("request_id", Uuid());
        _writer.WriteString("id", Uuid());
        _writer.WriteString("dt", IsoMillis(dt));
        _writer.WriteString("domain", canary ? "canary" : domain);
        _writer.WriteString("stream", stream);
        _writer.WriteEndObject();
    }

    private void Begin(string schema)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        _writer.WriteString("$schema", schema);
    }

    private DemoEvent End(string stream, bool viaIntake = false)
    {
        _writer.WriteEndObject();
        _writer.Flush();
        return new DemoEvent(stream, _buffer.WrittenSpan.ToArray(), viaIntake);
    }

    public void Dispose() => _writer.Dispose();
}
