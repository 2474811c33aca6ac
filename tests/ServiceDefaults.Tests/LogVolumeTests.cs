using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace ProMTA.ServiceDefaults.Tests;

/// <summary>
/// What a service writes to its log with the defaults: its own Information, and only the warnings of the framework's
/// per-request and per-call chatter (the spans carry those), which was most of the log volume under order load.
/// </summary>
public sealed class LogVolumeTests
{
    [Theory]
    [InlineData("Microsoft.AspNetCore.Hosting.Diagnostics")]
    [InlineData("Microsoft.AspNetCore.Routing.EndpointMiddleware")]
    [InlineData("System.Net.Http.HttpClient.PowerDnsClient.LogicalHandler")]
    [InlineData("Polly")]
    [InlineData("Npgsql.Command")]
    public void Per_request_and_per_call_framework_logs_keep_their_warnings_only(string category)
    {
        using var host = Build(new Dictionary<string, string?>());
        var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);

        Assert.False(log.IsEnabled(LogLevel.Information));
        Assert.True(log.IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public void A_services_own_information_and_the_hosts_lifetime_still_come()
    {
        using var host = Build(new Dictionary<string, string?>());
        var loggers = host.Services.GetRequiredService<ILoggerFactory>();

        Assert.True(loggers.CreateLogger("ProMTA.Dns.Monitoring.ReverseDnsPropagation").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void An_operator_asks_for_one_categorys_information_back_by_naming_it()
    {
        using var host = Build(new Dictionary<string, string?> { ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information" });

        Assert.True(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
    }

    private static IHost Build(Dictionary<string, string?> configuration)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddServiceDefaults();
        return builder.Build();
    }
}
