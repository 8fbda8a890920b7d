using System.Reflection;
using EventStreams.Server.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EventStreams.Server.Tests.Diagnostics;

public sealed class LogEventIdsTests
{
    private static readonly Assembly Server = typeof(LogEventIds).Assembly;

    [Fact]
    public void Table_EveryIdUnique()
    {
        var ids = typeof(LogEventIds).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (int)f.GetRawConstantValue()!).ToList();

        Assert.NotEmpty(ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void LogMethods_EachUsesItsOwnIdFromTheTable()
    {
        var table = typeof(LogEventIds).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (int)f.GetRawConstantValue()!).ToHashSet();
        var methods = Server.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.Name}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .ToList();

        Assert.True(methods.Count > 40, $"only {methods.Count} log methods found");
        Assert.Empty(methods.Where(m => !table.Contains(m.Attribute!.EventId)).Select(m => m.Method));
        Assert.Empty(methods.GroupBy(m => m.Attribute!.EventId).Where(g => g.Count() > 1).Select(g => string.Join(" = ", g.Select(m => m.Method))));
    }
}
