using System.Text;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EventStreams.Server.Tests.Transports;

/// <summary>
/// The negotiated tokens the hub's own WebSockets keep: each opens one WebSocket, and the table holds a token no longer
/// than SignalR holds its unused connection (its disconnect timeout), unless its WebSocket is open: negotiating without
/// end costs a bounded table.
/// </summary>
public sealed class HubSocketTokensTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);
    private readonly FakeTimeProvider _time = new();
    private readonly HubSocketTokens _tokens;

    public HubSocketTokensTests() =>
        _tokens = new HubSocketTokens(_time, Options.Create(new ConnectionOptions { DisconnectTimeout = Lifetime }));

    [Fact]
    public async Task Token_TakenOnce_InUseWhileOpen_GoneAfter_ForgottenAtItsExpiry()
    {
        var context = await NegotiateAsync("t");

        Assert.Equal(1, _tokens.Count);
        Assert.Equal(HubSocketTokens.Use.Taken, _tokens.Take("t"));
        Assert.Equal(HubSocketTokens.Use.InUse, _tokens.Take("t"));
        Assert.Equal(HubSocketTokens.Use.Unknown, _tokens.Take("other"));
        _tokens.End("t");
        Assert.Equal(HubSocketTokens.Use.Gone, _tokens.Take("t"));

        _time.Advance(Lifetime);
        _tokens.Sweep();

        Assert.Equal(0, _tokens.Count);
        Assert.Equal(HubSocketTokens.Use.Unknown, _tokens.Take("t"));
        Assert.Contains("\"connectionToken\":\"t\"", Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManyNegotiations_NeverUsed_AllForgottenAtTheirExpiry_AnOpenOneKept()
    {
        for (var i = 0; i < 1000; i++)
        {
            await NegotiateAsync($"unused-{i}");
        }

        await NegotiateAsync("open");
        Assert.Equal(HubSocketTokens.Use.Taken, _tokens.Take("open"));
        _time.Advance(Lifetime - TimeSpan.FromSeconds(1));
        _tokens.Sweep();
        Assert.Equal(1001, _tokens.Count);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HubSocketTokens.Use.Gone, _tokens.Take("unused-0"));
        _tokens.Sweep();

        Assert.Equal(1, _tokens.Count);
        Assert.Equal(HubSocketTokens.Use.InUse, _tokens.Take("open"));
    }

    /// <summary>A negotiation answered as SignalR answers it, passed through to the client unchanged.</summary>
    private async Task<HttpContext> NegotiateAsync(string token)
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();
        await _tokens.NegotiateAsync(context, c =>
        {
            c.Response.StatusCode = StatusCodes.Status200OK;
            return c.Response.WriteAsync($$"""{"negotiateVersion":1,"connectionId":"id-{{token}}","connectionToken":"{{token}}","availableTransports":[]}""");
        });
        return context;
    }
}
