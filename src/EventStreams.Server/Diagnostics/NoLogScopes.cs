namespace EventStreams.Server.Diagnostics;

/// <summary>
/// Log scopes that are not kept. Kestrel opens one per connection (its id) and holds it, with the execution context that
/// carries it, for the connection's whole life: about 200 bytes per idle stream (issue 14 item 2). No log line shows a
/// scope unless a formatter is told to include them, so this replaces the scope provider only while none is
/// (<see cref="IsWanted"/>).
/// </summary>
internal sealed class NoLogScopes : IExternalScopeProvider, IDisposable
{
    public static readonly NoLogScopes Instance = new();

    /// <summary>Whether some logging setting asks for scopes (<c>Logging:…:IncludeScopes</c>, e.g. <c>Logging:Console:FormatterOptions:IncludeScopes</c>).</summary>
    public static bool IsWanted(IConfiguration configuration) =>
        configuration.GetSection("Logging").AsEnumerable().Any(setting =>
            setting.Key.EndsWith(":IncludeScopes", StringComparison.OrdinalIgnoreCase) && bool.TryParse(setting.Value, out var include) && include);

    public void ForEachScope<TState>(Action<object?, TState> callback, TState state)
    {
    }

    public IDisposable Push(object? state) => this;

    public void Dispose()
    {
    }
}
