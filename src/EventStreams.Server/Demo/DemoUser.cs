namespace EventStreams.Server.Demo;

/// <summary>Who made a change: a registered person, a bot, or an anonymous editor known by address.</summary>
internal sealed record DemoUser(string Name, bool IsBot, bool IsAnonymous)
{
    /// <summary>A stable made-up user id, so the same name always has the same id.</summary>
    public int Id => 1000 + (int)(StableHash(Name) % 48_000_000);

    public int EditCount => 50 + (int)(StableHash(Name + "#edits") % (IsBot ? 4_000_000u : 90_000u));

    public DateTimeOffset Registered => new DateTimeOffset(2004, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(StableHash(Name + "#reg") % 11_000_000);

    public IReadOnlyList<string> Groups => IsAnonymous ? ["*"] : IsBot ? ["bot", "*", "user", "autoconfirmed"] : ["*", "user", "autoconfirmed"];

    private static uint StableHash(string text) => DemoHash.Of(text);
}
