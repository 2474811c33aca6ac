using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static ProMTA.Deploy.Tests.Manifests;

namespace ProMTA.Deploy.Tests;

public sealed class ProbeTests
{
    [Theory]
    [MemberData(nameof(Overlays), MemberType = typeof(Manifests))]
    public void Liveness_is_alive_and_readiness_is_health_on_the_port_the_service_listens_on(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        foreach (var name in Services)
        {
            var container = Container(rendered.Single("Deployment", name));
            var listensOn = EnvValue(container, "ASPNETCORE_HTTP_PORTS");
            var http = container["ports"]!.AsArray().Single(p => String(p, "name") == "http");
            Assert.Equal(listensOn, String(http, "containerPort"));

            Assert.Equal("/alive", String(container, "livenessProbe", "httpGet", "path"));
            Assert.Equal("/health", String(container, "readinessProbe", "httpGet", "path"));
            Assert.Equal("/alive", String(container, "startupProbe", "httpGet", "path"));
            foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
            {
                Assert.Equal("http", String(container, probe, "httpGet", "port"));
            }
        }
    }

    /// <summary>The probed routes are the ones ServiceDefaults really maps: a service started with them answers both.</summary>
    [Fact]
    public async Task The_probed_routes_answer_in_a_service_built_with_the_service_defaults()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddServiceDefaults();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.UseServiceDefaults();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            var probed = RenderedOverlay.Get("production").OfKind("Deployment")
                .Where(d => Services.Contains(String(d, "metadata", "name")))
                .SelectMany(d => new[] { "livenessProbe", "readinessProbe", "startupProbe" }.Select(p => String(Container(d), p, "httpGet", "path")!))
                .Distinct().ToList();
            Assert.Equal(["/alive", "/health"], probed.Order());
            foreach (var path in probed)
            {
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(path)).StatusCode);
            }
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/healthz")).StatusCode);
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
