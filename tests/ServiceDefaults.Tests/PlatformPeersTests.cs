using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Http;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.ServiceDefaults.Tests;

/// <summary>
/// The staff views' fan-out (an order's flow, dead letters) over real sockets, with the HTTP client defaults every
/// service has: a peer that accepts the connection and never answers, one that refuses it and one that fails do not
/// hold back the answer of the peer that works, and the result says which did not answer and why.
/// </summary>
public sealed class PlatformPeersTests
{
    [Fact]
    public async Task A_hung_peer_is_reported_after_the_peer_timeout_with_the_others_answers_and_nothing_is_retried()
    {
        var (okPort, brokenPort, refusedPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        var forwardedCaller = new List<string?>();
        var brokenAsked = new StrongBox<int>();
        await using var peers = await StartPeersAsync(okPort, brokenPort, forwardedCaller, brokenAsked);
        using var hung = new TcpListener(IPAddress.Loopback, 0);
        hung.Start();
        var held = new List<Socket>();
        var accepting = AcceptForeverAsync(hung, held);

        var builder = Host.CreateApplicationBuilder();
        builder.AddServiceDefaults();
        builder.Configuration["PlatformPeers:Timeout"] = "00:00:05";
        builder.Configuration["services:ok:http:0"] = $"http://127.0.0.1:{okPort}";
        builder.Configuration["services:hung:http:0"] = $"http://127.0.0.1:{((IPEndPoint)hung.LocalEndpoint).Port}";
        builder.Configuration["services:refused:http:0"] = $"http://127.0.0.1:{refusedPort}";
        builder.Configuration["services:broken:http:0"] = $"http://127.0.0.1:{brokenPort}";
        builder.Services.AddPlatformPeers("ok", "hung", "refused", "broken");
        using var client = builder.Build();
        var caller = new DefaultHttpContext();
        caller.Request.Headers[CallerToken.HeaderName] = "signed-operator";

        var answers = await client.Services.GetRequiredService<PlatformPeers>().GatherAsync<int>(caller, "/internal/things", default);

        Assert.True(answers.Items.SequenceEqual([1, 2]), string.Join("; ", answers.PeerErrors));
        Assert.Equal(["hung", "refused", "broken"], answers.Unavailable);
        Assert.Equal(["hung", "refused", "broken"], answers.PeerErrors.Select(e => e.Service));
        Assert.Equal("no answer within 5 s", answers.PeerErrors[0].Error);
        // Refused at once and not retried: the error is the connection's, not the timeout's.
        Assert.Contains("Connection refused", answers.PeerErrors[1].Error);
        Assert.Equal("HTTP 500 Internal Server Error", answers.PeerErrors[2].Error);
        Assert.Equal(1, brokenAsked.Value); // the standard resilience handler would have retried the 500
        Assert.Equal(["signed-operator"], forwardedCaller);
        Assert.NotEmpty(held);

        hung.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => accepting);
        held.ForEach(s => s.Dispose());
    }

    private static async Task<WebApplication> StartPeersAsync(int okPort, int brokenPort, List<string?> forwardedCaller, StrongBox<int> brokenAsked)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{okPort}", $"http://127.0.0.1:{brokenPort}");
        var app = builder.Build();
        app.MapGet("/internal/things", (HttpContext http) =>
        {
            if (http.Connection.LocalPort == brokenPort)
            {
                Interlocked.Increment(ref brokenAsked.Value);
                return Results.StatusCode(StatusCodes.Status500InternalServerError);
            }
            lock (forwardedCaller) forwardedCaller.Add(http.Request.Headers[CallerToken.HeaderName]);
            return Results.Ok(new[] { 1, 2 });
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>Accepts connections and never reads or answers them, like a service stuck in a long GC or a deadlock.</summary>
    private static async Task AcceptForeverAsync(TcpListener listener, List<Socket> held)
    {
        while (true) held.Add(await listener.AcceptSocketAsync());
    }
}
