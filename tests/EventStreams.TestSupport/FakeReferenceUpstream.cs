using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace EventStreams.TestSupport;

/// <summary>A request as the fake upstream received it.</summary>
public sealed record ReceivedRequest(string PathAndQuery, string? LastEventId, string Accept, string UserAgent, string Host, string? TestHeader, string? Cookie);

/// <summary>
/// A small stand-in for the reference service (stream.wikimedia.org) on real Kestrel: <c>/?spec</c> in the reference's
/// shape (stream names only, as the enum of the <c>{streams}</c> parameter), SSE as it writes it (<c>:ok</c>, then
/// <c>event</c>/<c>id</c>/<c>data</c> with timestamp ids), and streams whose names script failures: <c>fail-400</c>,
/// <c>fail-429</c>, <c>fail-500</c>, <c>fail-504</c>, <c>html</c>, <c>slow</c> (never answers), <c>cut</c> (one event,
/// then the connection drops when the test releases <see cref="State.Cut"/>).
/// </summary>
public sealed partial class FakeReferenceUpstream : IAsyncDisposable
{
    public const long BaseTimestamp = 1_700_000_000_000;
    public static readonly string[] StreamNames = ["mediawiki.recentchange", "recentchange", "mediawiki.page-create", "page-create", "test.event"];
    private readonly KestrelApp _app;

    private FakeReferenceUpstream(KestrelApp app, State state)
    {
        _app = app;
        Shared = state;
    }

    public Uri BaseAddress => _app.BaseAddress;

    public State Shared { get; }

    /// <summary>Open TCP connections to the fake.</summary>
    public OpenConnections Connections => Shared.Connections;

    /// <summary>Stream responses in progress.</summary>
    public OpenConnections OpenStreams => Shared.OpenStreams;

    public ConcurrentQueue<ReceivedRequest> Received => Shared.Received;

    public sealed class State
    {
        public OpenConnections Connections { get; } = new();

        public OpenConnections OpenStreams { get; } = new();

        public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

        public ConcurrentQueue<string> ServerNames { get; } = new();

        /// <summary>Events sent at once on each stream request; then the stream stays open and quiet.</summary>
        public int InitialEvents { get; set; } = 3;

        /// <summary>Released by a test when a <c>cut</c> stream should drop its connection (after the client saw its event).</summary>
        public SemaphoreSlim Cut { get; } = new(0);

        /// <summary>Then one more event every this often (zero: none).</summary>
        public TimeSpan Interval { get; set; }
    }

    public static async Task<FakeReferenceUpstream> StartAsync(X509Certificate2? certificate = null, int initialEvents = 3, TimeSpan interval = default)
    {
        var state = new State { InitialEvents = initialEvents, Interval = interval };
        var app = await KestrelApp.StartAsync(
            app =>
            {
                app.MapGet("/", (HttpContext context) => context.Request.Query.ContainsKey("spec")
                    ? Results.Text(Spec, "application/json; charset=utf-8")
                    : Results.Redirect("/?doc"));
                app.MapGet("/_info", () => Results.Json(new { name = "eventstreams", version = "0.19.0", description = "fake reference", home = "/?doc" }));
                app.MapGet("/v2/stream/{streams}", (HttpContext context, string streams) => ServeAsync(context, streams, state));
            },
            builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Use(next => async connection =>
                {
                    state.Connections.Add(1);
                    try
                    {
                        await next(connection);
                    }
                    finally
                    {
                        state.Connections.Add(-1);
                    }
                });
                if (certificate is not null)
                {
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificateSelector = (_, name) =>
                        {
                            state.ServerNames.Enqueue(name ?? "");
                            return certificate;
                        },
                    });
                }
            })));
        var scheme = certificate is null ? "http" : "https";
        var port = app.BaseAddress.Port;
        var fake = new FakeReferenceUpstream(app, state);
        fake.HttpsAddress = new Uri($"{scheme}://127.0.0.1:{port}/");
        return fake;
    }

    /// <summary>The address with the right scheme (Kestrel reports http for a listener it was told about in code).</summary>
    public Uri HttpsAddress { get; private set; } = null!;

    private static readonly string Spec = """
        {"openapi":"3.0.0","info":{"title":"EventStreams","version":"0.19.0"},
         "paths":{"/v2/stream/{streams}":{"get":{"summary":"Stream events",
           "parameters":[{"name":"streams","in":"path","required":true,"style":"simple","explode":false,
             "schema":{"type":"array","items":{"type":"string","enum":STREAM_NAMES}}},
             {"name":"since","in":"query","schema":{"type":"string"}}],
           "responses":{"200":{"description":"events"}}}}}}
        """.Replace("STREAM_NAMES", System.Text.Json.JsonSerializer.Serialize(StreamNames), StringComparison.Ordinal);

    private static async Task ServeAsync(HttpContext context, string streams, State state)
    {
        var request = context.Request;
        var lastEventId = request.Headers["Last-Event-ID"].ToString();
        state.Received.Enqueue(new ReceivedRequest(
            request.Path + request.QueryString,
            lastEventId.Length > 0 ? lastEventId : null,
            request.Headers.Accept.ToString(),
            request.Headers.UserAgent.ToString(),
            request.Host.ToString(),
            request.Headers["X-Test"].FirstOrDefault(),
            request.Headers.Cookie.FirstOrDefault()));

        switch (streams)
        {
            case "fail-400":
                await WriteProblemAsync(context, 400, "not_found", $"Invalid streams: {streams}");
                return;
            case "fail-429":
                context.Response.Headers.RetryAfter = "7";
                await WriteProblemAsync(context, 429, "too_many_requests", "Too many concurrent connections from your IP");
                return;
            case "fail-500":
                await WriteProblemAsync(context, 500, "internal_error", "Kafka exploded");
                return;
            case "fail-504":
                context.Response.StatusCode = 504;
                await context.Response.WriteAsync("upstream of the upstream timed out");
                return;
            case "html":
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body>Maintenance</body></html>");
                return;
            case "slow":
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
        }

        var names = streams.Split(',');
        if (names.Any(n => n != "cut" && !StreamNames.Contains(n)))
        {
            await WriteProblemAsync(context, 400, "not_found", $"Invalid streams: {streams}");
            return;
        }

        state.OpenStreams.Add(1);
        try
        {
            await StreamAsync(context, streams == "cut", lastEventId, state);
        }
        finally
        {
            state.OpenStreams.Add(-1);
        }
    }

    private static async Task StreamAsync(HttpContext context, bool cut, string lastEventId, State state)
    {
        var ndjson = context.Request.Headers.Accept.ToString().Contains("application/json", StringComparison.Ordinal);
        context.Response.ContentType = ndjson ? "application/json; charset=utf-8" : "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        var next = TimestampIn(lastEventId) is { } resumed ? resumed - BaseTimestamp + 1 : 1;
        if (!ndjson)
        {
            await context.Response.WriteAsync(":ok\n\n", context.RequestAborted);
        }

        for (var i = 0; i < (cut ? 1 : state.InitialEvents); i++)
        {
            await context.Response.WriteAsync(Event(next++, ndjson), context.RequestAborted);
        }

        await context.Response.Body.FlushAsync(context.RequestAborted);
        if (cut)
        {
            await state.Cut.WaitAsync(context.RequestAborted);
            context.Abort();
            return;
        }

        try
        {
            while (true)
            {
                if (state.Interval <= TimeSpan.Zero)
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }

                await Task.Delay(state.Interval, context.RequestAborted);
                await context.Response.WriteAsync(Event(next++, ndjson), context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static string Id(long sequence) => $$"""[{"topic":"eqiad.mediawiki.recentchange","partition":0,"timestamp":{{BaseTimestamp + sequence}}}]""";

    public static string Data(long sequence) =>
        $$"""{"$schema":"/mediawiki/recentchange/1.0.0","meta":{"stream":"mediawiki.recentchange","topic":"eqiad.mediawiki.recentchange","partition":0,"offset":{{sequence}},"dt":"{{DateTimeOffset.UtcNow:O}}","domain":"test.wikipedia.org"},"type":"edit","title":"Fake_{{sequence}}","wiki":"testwiki","seq":{{sequence}},"sent_ms":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}}}""";

    private static string Event(long sequence, bool ndjson) =>
        ndjson ? Data(sequence) + "\n" : $"event: message\nid: {Id(sequence)}\ndata: {Data(sequence)}\n\n";

    private static long? TimestampIn(string lastEventId) =>
        TimestampPattern().Match(lastEventId) is { Success: true } match ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    private static Task WriteProblemAsync(HttpContext context, int status, string type, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = $$"""{"status":{{status}},"type":"{{type}}","title":"{{type}}","detail":"{{detail}}","method":"get","uri":"{{context.Request.Path}}"}""";
        return context.Response.WriteAsync(body, Encoding.UTF8);
    }

    [GeneratedRegex("\"timestamp\":(\\d+)")]
    private static partial Regex TimestampPattern();

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
