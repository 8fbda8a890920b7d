using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventStreams.IntegrationTests;

/// <summary>
/// Log scopes (Kestrel's per connection among them) are kept only when a setting asks for them: otherwise every idle stream
/// would hold its connection's scope for nothing (issue 14 item 2).
/// </summary>
public sealed class LogScopeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Request_ByDefault_LogsWithoutScopes()
    {
        var scopes = await ScopesOfARequestLogAsync();

        Assert.Empty(scopes);
    }

    [Fact]
    public async Task Request_ScopesAskedFor_LogsWithKestrelsConnectionScope()
    {
        var scopes = await ScopesOfARequestLogAsync("--Logging:Console:FormatterOptions:IncludeScopes=true");

        Assert.Contains(scopes, scope => scope.StartsWith("ConnectionId:", StringComparison.Ordinal));
    }

    /// <summary>The scopes a log entry written while a request runs carries.</summary>
    private static async Task<IReadOnlyList<string>> ScopesOfARequestLogAsync(params string[] settings)
    {
        var logs = new ScopedLogs();
        await using var server = await TestServer.StartAsync(
            """
            streams:
              test.scopes:
                topics: [test.scopes]
            """,
            builder =>
            {
                builder.Logging.AddProvider(logs);
                builder.Services.AddSingleton<IStartupFilter>(new LogEveryRequest());
            },
            settings: settings);
        using var http = server.CreateClient();

        using var response = await http.GetAsync("_info").WaitAsync(Wait);

        response.EnsureSuccessStatusCode();
        return Assert.Single(logs.Entries, entry => entry.Message == LogEveryRequest.Message).Scopes;
    }

    private sealed class LogEveryRequest : IStartupFilter
    {
        public const string Message = "request seen";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger<LogScopeTests>();
            app.Use((context, inner) =>
            {
                logger.LogWarning(Message);
                return inner(context);
            });
            next(app);
        };
    }

    /// <summary>Log entries with the scopes around them, from the scope provider the logging setup gives its providers.</summary>
    private sealed class ScopedLogs : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider? _scopes;

        public ConcurrentQueue<(string Message, IReadOnlyList<string> Scopes)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(ScopedLogs owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => owner._scopes?.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scopes = new List<string>();
                owner._scopes?.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? ""), scopes);
                owner.Entries.Enqueue((formatter(state, exception), scopes));
            }
        }
    }
}
