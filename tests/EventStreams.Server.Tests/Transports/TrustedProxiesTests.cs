using System.Net;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Tests.Transports;

/// <summary>ASP.NET Core's forwarded-headers middleware as <see cref="TrustedProxies"/> configures it, over real request contexts.</summary>
public sealed class TrustedProxiesTests
{
    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("192.0.2.50", true)]
    [InlineData("192.0.2.51", false)]
    [InlineData("203.0.113.9", false)]
    public async Task ForwardedHeaders_AppliedOnlyFromTrustedProxies(string peer, bool trusted)
    {
        var seen = await RunAsync(peer, "10.0.0.0/8", "192.0.2.50");

        Assert.Equal(trusted ? "198.51.100.7" : peer, seen.Remote);
        Assert.Equal(trusted ? "https" : "http", seen.Scheme);
        Assert.Equal(trusted ? "public.example" : "internal:8080", seen.Host);
        Assert.Equal(trusted ? "/streams" : "", seen.PathBase);
        Assert.Equal(trusted, seen.FromTrustedProxy);
    }

    [Fact]
    public async Task ForwardedHeaders_NoTrustedProxies_NothingApplied()
    {
        var seen = await RunAsync("127.0.0.1");

        Assert.Equal("127.0.0.1", seen.Remote);
        Assert.Equal("", seen.PathBase);
        Assert.False(seen.FromTrustedProxy);
    }

    [Fact]
    public void Options_InvalidEntry_FailsValidation()
    {
        using var services = Services("not-an-address");

        var e = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TrustedProxyOptions>>().Value);

        Assert.Contains("ForwardedHeaders:TrustedProxies", e.Message, StringComparison.Ordinal);
    }

    private static async Task<(string? Remote, string Scheme, string Host, string PathBase, bool FromTrustedProxy)> RunAsync(string peer, params string[] proxies)
    {
        using var services = Services(proxies);
        var app = new ApplicationBuilder(services);
        app.UseTrustedProxies();
        (string?, string, string, string, bool) seen = default;
        var trusted = services.GetRequiredService<IOptions<TrustedProxyOptions>>().Value.Networks();
        app.Run(context =>
        {
            seen = (context.Connection.RemoteIpAddress?.ToString(), context.Request.Scheme, context.Request.Host.Value ?? "", context.Request.PathBase.Value ?? "", TrustedProxies.FromTrustedProxy(context, trusted));
            return Task.CompletedTask;
        });
        var context = new DefaultHttpContext { RequestServices = services };
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("internal:8080");
        context.Request.Headers["X-Forwarded-For"] = "198.51.100.7";
        context.Request.Headers["X-Forwarded-Proto"] = "https";
        context.Request.Headers["X-Forwarded-Host"] = "public.example";
        context.Request.Headers["X-Forwarded-Prefix"] = "/streams";

        await app.Build()(context);
        return seen;
    }

    private static ServiceProvider Services(params string[] proxies)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(proxies.Select((p, i) => new KeyValuePair<string, string?>($"ForwardedHeaders:TrustedProxies:{i}", p)))
            .Build();
        return new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddTrustedProxies()
            .BuildServiceProvider();
    }
}
