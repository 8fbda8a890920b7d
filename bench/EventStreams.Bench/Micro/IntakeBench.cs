using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using EventStreams.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace EventStreams.Bench.Micro;

/// <summary>
/// The <c>intake</c> mode: <c>POST /v1/events</c> with single events and with 100-event batches of
/// <c>mediawiki/recentchange</c> events (the bundled schema), against the server on its embedded broker, while one SSE
/// client reads the stream: events/s validated and produced, and the time from the start of the POST to the event's
/// arrival on the SSE client. Everything (server, broker, posting clients, SSE client) in this one process. The clients
/// post as fast as they are answered (the most the machine gives), then, for 100-event batches, at an offered
/// <c>rate</c> of events/s in total (each client on its own schedule; a POST's time runs from when it was due, so a
/// client that falls behind counts its wait).
/// Usage: <c>intake [seconds=10] [clients=8] [rate=20000]</c>.
/// </summary>
internal static class IntakeBench
{
    private const string Stream = "mediawiki.recentchange";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        var rate = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20_000;
        var app = CreateApp();
        await app.StartAsync();
        try
        {
            await MeasureValidationAsync(app.Services);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2 }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
            var sent = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
            var latencies = new ConcurrentBag<long>();
            using var stop = new CancellationTokenSource();
            var reader = ReadSseAsync(http, sent, latencies, stop.Token);
            await Task.Delay(1000);

            Console.WriteLine($"intake bench: {Environment.ProcessorCount} cores, server + embedded broker (librdkafka mock cluster) + clients in one process, {clients} posting clients, {seconds} s per phase after a 2 s warm-up");
            Console.WriteLine("| POSTs of | clients | offered events/s | events/s accepted | POSTs/s | process CPU µs/event | POST answer p50 / p99 ms | POST → delivered on SSE p50 / p99 / max ms | delivered |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var (batch, concurrency, offered) in new[] { (1, clients, 0), (100, clients, 0), (100, clients, rate), (1, 1, 0), (100, 1, 0) })
            {
                await PhaseAsync(http, batch, concurrency, offered, TimeSpan.FromSeconds(2), sent, latencies, record: false);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var (events, posts, answers) = await PhaseAsync(http, batch, concurrency, offered, TimeSpan.FromSeconds(seconds), sent, latencies, record: true);
                var cpuPerEvent = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / Math.Max(1, events);
                await Task.Delay(2000);
                var delivered = latencies.ToArray();
                latencies.Clear();
                Array.Sort(delivered);
                Array.Sort(answers);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {(batch == 1 ? "1 event" : $"{batch} events")} | {concurrency} | {(offered == 0 ? "as answered" : $"{offered:N0}")} | {events / (double)seconds:N0} | {posts / (double)seconds:N0} | {cpuPerEvent:N0} | {Ms(answers, 0.5)} / {Ms(answers, 0.99)} | {Ms(delivered, 0.5)} / {Ms(delivered, 0.99)} / {Ms(delivered, 1)} | {delivered.Length:N0} of {events:N0} |"));
            }

            await stop.CancelAsync();
            await reader.ContinueWith(_ => { }, TaskScheduler.Default);
            return 0;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>The server on its embedded broker with the bundled schemas and the demo's catalogue, without the demo producer.</summary>
    public static WebApplication CreateApp() =>
        EventStreamsApp.Create(["--urls=http://127.0.0.1:0", "--StreamConfig:Uri=", "--Demo:Enabled=false", "--Logging:LogLevel:Default=Warning", "--Shutdown:DrainSeconds=0"]);

    /// <summary>Validation alone (no HTTP, no Kafka), one thread: the CPU an event costs before it is produced.</summary>
    private static async Task MeasureValidationAsync(IServiceProvider services)
    {
        var validator = services.GetRequiredService<EventStreams.Server.Intake.EventValidator>();
        var events = Enumerable.Range(0, 20_000).Select(_ => System.Text.Json.JsonDocument.Parse(Event(Guid.NewGuid().ToString()))).ToList();
        // Two passes first, so the measured one runs fully optimised code (tiered compilation), as a warm server does.
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var e in events)
            {
                await validator.ValidateAsync(e.RootElement, CancellationToken.None);
            }
        }

        var watch = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var e in events)
        {
            if ((await validator.ValidateAsync(e.RootElement, CancellationToken.None)).Failure is { } failure)
            {
                throw new InvalidOperationException(failure.ErrorsText);
            }
        }

        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"validation alone (mediawiki/recentchange, meta.id and meta.dt filled in), one thread: {used.TotalMicroseconds / events.Count:F1} CPU-µs per event, {watch.Elapsed.TotalMicroseconds / events.Count:F1} µs wall"));
        events.ForEach(e => e.Dispose());
    }

    private static async Task<(long Events, long Posts, long[] Answers)> PhaseAsync(
        HttpClient http, int batch, int clients, int rate, TimeSpan duration, ConcurrentDictionary<string, long> sent, ConcurrentBag<long> latencies, bool record)
    {
        long events = 0, posts = 0;
        var answers = new ConcurrentBag<long>();
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var interval = rate == 0 ? 0 : (long)((double)clients * batch / rate * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var body = new StringBuilder();
            var ids = new string[batch];
            var due = Stopwatch.GetTimestamp() + (interval * client / clients);
            while (Stopwatch.GetTimestamp() < end)
            {
                if (interval > 0)
                {
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait);
                    }
                }

                body.Clear().Append('[');
                for (var i = 0; i < batch; i++)
                {
                    ids[i] = Guid.NewGuid().ToString();
                    body.Append(i == 0 ? "" : ",").Append(Event(ids[i]));
                }

                body.Append(']');
                var started = interval > 0 ? due : Stopwatch.GetTimestamp();
                due += interval;
                if (record)
                {
                    foreach (var id in ids)
                    {
                        sent[id] = started;
                    }
                }

                using var content = new StringContent(body.ToString(), Encoding.UTF8, "application/json");
                using var response = await http.PostAsync("v1/events", content);
                if (response.StatusCode != HttpStatusCode.NoContent)
                {
                    throw new InvalidOperationException($"POST answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }

                if (record)
                {
                    answers.Add(Stopwatch.GetElapsedTime(started).Ticks / 10);
                    Interlocked.Add(ref events, batch);
                    Interlocked.Increment(ref posts);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return (events, posts, answers.ToArray());
    }

    private static async Task ReadSseAsync(HttpClient http, ConcurrentDictionary<string, long> sent, ConcurrentBag<long> latencies, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v2/stream/{Stream}");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var at = line.IndexOf("\"id\":\"", StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            var id = line.Substring(at + 6, 36);
            if (sent.TryRemove(id, out var started))
            {
                latencies.Add(Stopwatch.GetElapsedTime(started).Ticks / 10);
            }
        }
    }

    public static string Event(string id) =>
        $$"""{"$schema":"/mediawiki/recentchange/1.0.0","meta":{"uri":"https://en.wikipedia.org/wiki/Sandbox","request_id":"7b7e7a3c-4b0a-4bde-9a4a-3c1f5ad0e8d2","id":"{{id}}","domain":"en.wikipedia.org","stream":"{{Stream}}"},"id":1900000001,"type":"edit","namespace":0,"title":"Sandbox","title_url":"https://en.wikipedia.org/wiki/Sandbox","comment":"bench","timestamp":1767225600,"user":"Example","bot":false,"minor":false,"length":{"old":120,"new":158},"revision":{"old":1249999000,"new":1250000001},"server_url":"https://en.wikipedia.org","server_name":"en.wikipedia.org","server_script_path":"/w","wiki":"enwiki","parsedcomment":"bench"}""";

    private static string Ms(long[] sortedMicros, double quantile) =>
        sortedMicros.Length == 0 ? "-" : (sortedMicros[Math.Min(sortedMicros.Length - 1, (int)(quantile * sortedMicros.Length))] / 1000.0).ToString("F1", CultureInfo.InvariantCulture);
}
