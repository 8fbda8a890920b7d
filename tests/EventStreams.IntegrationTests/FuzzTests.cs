using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace EventStreams.IntegrationTests;

/// <summary>
/// Thousands of generated hostile requests (paths, <c>since</c>, ids, filters, Accept headers, methods), seeded: only
/// documented statuses, JSON problem bodies for errors, no 5xx, the server alive, and a well-formed client connected
/// meanwhile keeps receiving. A few seconds by default; <c>EVENTSTREAMS_FUZZ_SECONDS</c> runs longer,
/// <c>EVENTSTREAMS_FUZZ_SEED</c> replays a run.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const int KestrelRejected = 1400;
    private static readonly HashSet<int> Documented = [200, 301, 303, 304, 400, 404, 405, 406, 413, 414, 415, 429, 431];
    private static readonly string[] Methods = ["GET", "GET", "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];
    private static readonly string[] Streams = ["fuzz.a", "fuzz.b"];
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(
        """
        streams:
          fuzz.a:
            topics: [fuzz.a]
          fuzz.b:
            topics: [fuzz.b]
        """,
        partitions: 2,
        "--Streaming:HeartbeatSeconds=1");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task HostileRequests_OnlyDocumentedAnswers_ServerAliveAndStreaming()
    {
        var seconds = double.TryParse(Environment.GetEnvironmentVariable("EVENTSTREAMS_FUZZ_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 4;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("EVENTSTREAMS_FUZZ_SEED"), out var given) ? given : 20261130;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, MaxResponseDrainSize = 0, AllowAutoRedirect = false })
        {
            BaseAddress = _server.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        await using var watcher = await SseClient.ConnectAsync(_server.CreateClient(), "v2/stream/fuzz.a");
        await watcher.ReadAsync(Wait);
        using var stop = new CancellationTokenSource();
        var produced = ProduceUntilAsync(stop.Token);
        var received = ReceiveAsync(watcher, stop.Token);
        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        var sent = 0;
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            var random = new Random(seed + worker);
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                var request = Generate(random, _server.BaseAddress.ToString().TrimEnd('/'));
                var described = $"{request.Method} {request.RequestUri} Accept={request.Headers.Accept} Last-Event-ID={string.Join("", request.Headers.TryGetValues("Last-Event-ID", out var id) ? id : [])}";
                described = described.Length > 300 ? described[..300] + "…" : described;
                Interlocked.Increment(ref sent);
                try
                {
                    var problem = await SendAsync(http, request);
                    statuses.AddOrUpdate(problem.Status, 1, (_, n) => n + 1);
                    if (problem.Failure is { } failure)
                    {
                        failures.Enqueue($"{failure}: {described}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException)
                {
                    failures.Enqueue($"{e.GetType().Name} {e.Message}: {described}");
                }
                finally
                {
                    request.Dispose();
                }
            }
        })));
        var receivedDuringFuzz = Volatile.Read(ref _received);
        await WaitForMoreEventsAsync(receivedDuringFuzz);
        stop.Cancel();
        await produced;
        await received;
        using var live = await http.GetAsync("healthz").WaitAsync(Wait);
        output.WriteLine($"seed {seed}: {sent} requests in {clock.Elapsed.TotalSeconds:0.0} s; statuses {string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"))}; watcher received {receivedDuringFuzz} events meanwhile");
        foreach (var failure in failures.Take(20))
        {
            output.WriteLine(failure);
        }

        Assert.Empty(failures);
        Assert.True(sent >= 1000, $"only {sent} requests");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.True(receivedDuringFuzz > 0, "the well-formed client received nothing while the fuzz ran");
    }

    private int _received;

    private async Task ReceiveAsync(SseClient watcher, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var e = await watcher.ReadAsync(Wait);
                if (e is null)
                {
                    return;
                }

                if (e.Event == "message")
                {
                    Interlocked.Increment(ref _received);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WaitForMoreEventsAsync(int before)
    {
        var deadline = Stopwatch.StartNew();
        while (Volatile.Read(ref _received) <= before && deadline.Elapsed < Wait)
        {
            await Task.Delay(20);
        }

        Assert.True(Volatile.Read(ref _received) > before, "the well-formed client stopped receiving");
    }

    private async Task ProduceUntilAsync(CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            await _server.ProduceAsync("fuzz.a", i % 2, $$$"""{"i":{{{i}}},"meta":{"domain":"x"}}""");
            try
            {
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends, then judges the answer: a documented status, and a JSON problem body for an error.</summary>
    private static async Task<(int Status, string? Failure)> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using var cts = new CancellationTokenSource(Wait);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        var status = (int)response.StatusCode;
        if (!Documented.Contains(status) && !(status == 204 && request.Method == HttpMethod.Options))
        {
            return (status, $"undocumented status {status}");
        }

        if (status < 400 || request.Method == HttpMethod.Head)
        {
            return (status, null);
        }

        var body = await response.Content.ReadAsStringAsync(cts.Token);
        if (status == 400 && body.Length == 0)
        {
            // Kestrel's answer to a request line it cannot parse, before any of our code runs (the app never sends an empty 400).
            return (KestrelRejected, null);
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            foreach (var field in new[] { "status", "type", "title", "detail", "method", "uri" })
            {
                if (!root.TryGetProperty(field, out _))
                {
                    return (status, $"{status} problem body without '{field}'");
                }
            }

            return root.GetProperty("status").GetInt32() == status ? (status, null) : (status, $"{status} with a body saying {root.GetProperty("status")}");
        }
        catch (JsonException)
        {
            return (status, $"{status} without a JSON body ({response.Content.Headers.ContentType}): {body[..Math.Min(body.Length, 80)]}");
        }
    }

    private static HttpRequestMessage Generate(Random random, string origin)
    {
        var method = Methods[random.Next(Methods.Length)];
        var path = random.Next(10) switch
        {
            0 => "/" + Garbage(random, random.Next(1, 40)),
            1 => "/v2/stream/" + Garbage(random, random.Next(1, 300)),
            2 => "/v2/" + Pick(random, ["hub", "hub/negotiate", "ui", "ui/" + Garbage(random, 10), "stream", "stream/", "stream//"]),
            3 => Pick(random, ["/", "/?spec", "/?doc", "/_info", "/_info/" + Garbage(random, 8), "/metrics", "/healthz", "/readyz", "/robots.txt", "/rc", "/doc/" + Garbage(random, 12)]),
            4 => "/v2/stream/" + string.Join(',', Enumerable.Range(0, random.Next(1, 200)).Select(_ => Streams[random.Next(2)])),
            _ => "/v2/stream/" + string.Join(',', Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(6) == 0 ? Garbage(random, 8) : Streams[random.Next(2)])),
        };
        var query = new List<string>();
        if (random.Next(2) == 0)
        {
            query.Add("since=" + Uri.EscapeDataString(Since(random)));
        }

        for (var n = random.Next(3) == 0 ? random.Next(1, 5) : 0; n > 0; n--)
        {
            query.Add("filter=" + Uri.EscapeDataString(Filter(random)));
        }

        if (random.Next(4) == 0)
        {
            query.Add("last_event_id=" + Uri.EscapeDataString(EventId(random)));
        }

        var uri = path + (query.Count > 0 ? (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + string.Join('&', query) : "");
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(origin + uri, UriKind.Absolute));
        request.Headers.TryAddWithoutValidation("Accept", Pick(random, ["text/event-stream", "application/json", "*/*", "application/json; q=0.1, text/event-stream", "text/html", "", Ascii(Garbage(random, 20)), "application/jsonx"]));
        if (random.Next(3) == 0)
        {
            // Headers go as they are (an HTTP client refuses anything but ASCII there; an id's JSON escapes the rest).
            request.Headers.TryAddWithoutValidation("Last-Event-ID", Ascii(EventId(random)));
        }

        if (method is "POST" or "PUT" or "PATCH" && random.Next(2) == 0)
        {
            request.Content = new StringContent(random.Next(2) == 0 ? new string('[', random.Next(1, 5000)) : Garbage(random, 200), Encoding.UTF8, Pick(random, ["application/json", "text/plain", "application/x-ndjson"]));
        }

        return request;
    }

    private static string Since(Random random) => random.Next(9) switch
    {
        0 => random.NextInt64(long.MinValue, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
        1 => "0",
        2 => "99999999999999999999999999",
        3 => "2024-06-14T00:00:00Z",
        4 => "1970-01-01T00:00:00" + Pick(random, ["Z", "+25:00", "", "-00:00"]),
        5 => "-1",
        6 => "1e308",
        7 => "NaN",
        _ => Garbage(random, random.Next(0, 30)),
    };

    private static string Filter(Random random) => random.Next(7) switch
    {
        0 => string.Join('.', Enumerable.Range(0, random.Next(1, 2000)).Select(_ => "a")) + "=x",
        1 => "meta.domain" + Pick(random, ["=", "!=", "==", "=!", "<>", ""]) + Garbage(random, 5),
        2 => Garbage(random, random.Next(0, 50)),
        3 => "=",
        4 => "a[0]=1",
        5 => "i=" + random.Next(100),
        _ => "meta.domain!=canary",
    };

    private static string EventId(Random random) => random.Next(14) switch
    {
        13 => Pick(random, [""" ["\ud800"]""", """[{"topic":"fuzz.a\udc00","partition":0,"offset":0}]""", """[{"topic":"fuzz.a","partition":0,"offset":0,"x":"\udbff"}]"""]).Trim(),
        12 => "[" + new string('{', random.Next(1, 3000)),
        0 => "[" + string.Join(',', Enumerable.Range(0, random.Next(1, 50)).Select(p => $$"""{"topic":"fuzz.a","partition":{{p}},"offset":{{random.Next(-3, 1000)}}}""")) + "]",
        1 => """[{"topic":"fuzz.a","partition":0,"timestamp":""" + random.NextInt64() + "}]",
        2 => new string('[', random.Next(1, 10_000)) + new string(']', random.Next(0, 3)),
        3 => """[{"topic":"fuzz.b","partition":0,"offset":-1}]""",
        4 => """[{"topic":"other.topic","partition":0,"offset":0}]""",
        5 => """[{"topic":"fuzz.a","partition":"0","offset":{}}]""",
        6 => """[{"topic":"fuzz.a","partition":99999999999999999999,"offset":1e400}]""",
        7 => "{}",
        8 => "null",
        9 => """["fuzz.a", 1, true, null]""",
        _ => Garbage(random, random.Next(0, 100)),
    };

    private static string Ascii(string text) => string.Concat(text.Select(c => c < 128 ? c.ToString() : $"\\u{(int)c:x4}"));

    private static string Pick(Random random, string[] choices) => choices[random.Next(choices.Length)];

    /// <summary>Printable hostile text (HTTP clients refuse control characters in paths and headers).</summary>
    private static string Garbage(Random random, int length)
    {
        const string alphabet = "abcXYZ019.,;:=!~*'()[]{}<>\"%&?#/\\ -_@$+^`|é€𝄞中\u200b";
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            var c = alphabet[random.Next(alphabet.Length)];
            text.Append(c);
        }

        return random.Next(5) == 0 ? Uri.EscapeDataString(text.ToString()) : text.ToString().Replace("#", "%23", StringComparison.Ordinal).Replace("?", "%3F", StringComparison.Ordinal);
    }
}
