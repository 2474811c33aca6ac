using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProMTA.ServiceDefaults.Http;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.ServiceDefaults.Tests;

/// <summary>
/// A client on a request's path (the gateway's introspection) over real sockets, with the HTTP client defaults every
/// service has: a peer in an outage (503, Retry-After: 5, as our services answer when their database is down) is
/// asked twice and its 503 comes back without the 5 s waits the standard handler makes on each of its three retries;
/// a peer whose first answer fails (a replica restarting) is asked again and its answer is the one returned.
/// </summary>
public sealed class RequestPathResilienceTests
{
    [Fact]
    public async Task A_peer_in_an_outage_is_asked_twice_and_its_retry_after_is_left_to_the_client()
    {
        var asked = 0;
        await using var peer = await StartPeerAsync(http =>
        {
            Interlocked.Increment(ref asked);
            http.Response.Headers.RetryAfter = "5";
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        });
        using var host = ClientHost(peer);
        var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("peer");

        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync("/internal/who");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(2, asked); // the standard handler asks 4 times
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"waited {clock.Elapsed}: the peer's Retry-After was honoured");
    }

    [Fact]
    public async Task A_peer_that_fails_once_is_asked_again_and_its_answer_is_returned()
    {
        var asked = 0;
        await using var peer = await StartPeerAsync(_ => Interlocked.Increment(ref asked) == 1
            ? Results.StatusCode(StatusCodes.Status502BadGateway)
            : Results.Ok("ada"));
        using var host = ClientHost(peer);
        var client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("peer");

        using var response = await client.GetAsync("/internal/who");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"ada\"", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, asked);
    }

    /// <summary>A service's host with the defaults and a client "peer" on a request's path to the given peer.</summary>
    private static IHost ClientHost(WebApplication peer)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddServiceDefaults();
        builder.Services.AddHttpClient("peer", http => http.BaseAddress = new Uri(peer.Urls.Single())).AddRequestPathResilience();
        return builder.Build();
    }

    private static async Task<WebApplication> StartPeerAsync(Func<HttpContext, IResult> answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{FreePort.Next()}");
        var app = builder.Build();
        app.MapGet("/internal/who", answer);
        await app.StartAsync();
        return app;
    }
}
