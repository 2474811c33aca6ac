using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.ServiceDefaults.Tests;

/// <summary>
/// A check that never returns (a pool with no free connection) must not hang /health: the orchestrator's probe gives up
/// after 10 s and reports nothing about which check it was. Over a real Kestrel, /health answers 503 within the shared
/// per-check timeout while /alive, which runs no dependency check, answers 200.
/// </summary>
public sealed class HealthCheckTimeoutTests : IAsyncLifetime
{
    private WebApplication app = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.AddServiceDefaults();
        builder.Services.AddHealthChecks().AddAsyncCheck("hangs", async ct =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return HealthCheckResult.Healthy();
        }, tags: [ServiceDefaultsExtensions.ReadyTag]);
        app = builder.Build();
        app.UseServiceDefaults();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task A_hanging_check_makes_health_answer_unhealthy_instead_of_hanging()
    {
        // Without the bound this request never returns and the client's own 60 s timeout fails the test.
        using var health = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
        using var alive = await client.GetAsync("/alive");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }
}
