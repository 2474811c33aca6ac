using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Outbound;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Replies;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// An operator tunes the throttling controller and replaces its tables from configuration (Delivery:Throttling), without
/// a rebuild; what cannot work stops Delivery at start (issue 19, step 1).
/// </summary>
public sealed class ThrottlingConfigurationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);
    private static readonly SmtpReply GmailRateLimited = SmtpReply.Parse("421 4.7.28 Our system has detected an unusual rate of mail originating from your IP address.");

    [Fact]
    public void A_configured_decrease_factor_changes_how_far_the_controller_slows_a_lane_down()
    {
        Assert.Equal(300 * 0.7, RateAfterOneRateLimit(new()), 6);
        Assert.Equal(300 * 0.5, RateAfterOneRateLimit(new() { ["Delivery:Throttling:Shaping:DecreaseFactor"] = "0.5" }), 6);
    }

    [Fact]
    public void Values_override_single_settings_and_files_replace_whole_tables()
    {
        var providers = Path.Combine(Path.GetTempPath(), $"providers-{Guid.NewGuid():N}.json");
        File.WriteAllText(providers, """
            { "providers": [
                { "name": "gmail", "mxSuffixes": ["google.com"], "startRatePerMinute": 900, "floorRatePerMinute": 10, "ceilingRatePerMinute": 6000, "startConnections": 10, "maxConnections": 40, "messagesPerConnection": 100 },
                { "name": "default", "mxSuffixes": [], "startRatePerMinute": 30, "floorRatePerMinute": 2, "ceilingRatePerMinute": 600, "startConnections": 2, "maxConnections": 10, "messagesPerConnection": 50 } ],
              "unmanagedSafetyCaps": { "maxRatePerMinute": 1200, "maxConnections": 50 } }
            """);
        try
        {
            using var services = Services(new()
            {
                ["Delivery:Throttling:Shaping:DecreaseFactor"] = "0.5",
                ["Delivery:Throttling:Shaping:RecoveryProbeInterval"] = "00:00:20",
                ["Delivery:Throttling:Reputation:MinimumSample"] = "50",
                ["Delivery:Throttling:Tables:Providers"] = providers,
            });
            var options = services.GetRequiredService<IOptions<ThrottlingOptions>>().Value;
            Assert.Equal((0.5, TimeSpan.FromSeconds(20), 50L), (options.Shaping.DecreaseFactor, options.Shaping.RecoveryProbeInterval, options.Reputation.MinimumSample));
            Assert.Equal(1.5, options.Shaping.SlowStartFactor); // unset: the shipped default
            Assert.Equal(2, options.Reputation.MinimumComplaints); // unset: Delivery's default
            Assert.Equal(900, options.Data.Providers.All.Single(p => p.Name == "gmail").StartRatePerMinute);
            Assert.Equal("default", options.Data.Providers.ResolveByMx("mx.icloud.com")); // the whole table was replaced
            Assert.Same(ThrottlingData.Default.Replies, options.Data.Replies); // the tables not named stay the shipped ones
        }
        finally
        {
            File.Delete(providers);
        }
    }

    [Fact]
    public void Nothing_configured_is_the_shipped_behaviour()
    {
        using var services = Services(new());
        Assert.Equal("icloud", services.GetRequiredService<ThrottleController>().Providers.ResolveByMx("mx01.mail.icloud.com"));
    }

    [Theory]
    [InlineData("Delivery:Throttling:Shaping:DecreaseFactor", "1.5", "DecreaseFactor")]
    [InlineData("Delivery:Throttling:Shaping:SlowStartFactor", "0.9", "SlowStartFactor")]
    [InlineData("Delivery:Throttling:Reputation:MinimumComplaints", "0", "MinimumComplaints")]
    [InlineData("Delivery:Throttling:Shaping:DecreaseFactor", "fast", "DecreaseFactor")]
    [InlineData("Delivery:Throttling:Tables:ReplyRules", "/nonexistent/reply-rules.json", "reply-rules.json")]
    public async Task A_bad_value_or_file_stops_the_start_and_names_it(string key, string value, string named)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddThrottleController();
        using var host = builder.Build();

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains(named, refused.ToString(), StringComparison.Ordinal);
    }

    private static double RateAfterOneRateLimit(Dictionary<string, string?> values)
    {
        using var services = Services(values);
        var controller = services.GetRequiredService<ThrottleController>();
        controller.TryAcquire("198.51.100.10", "gmail", "service-1", T0);
        controller.Record("198.51.100.10", "gmail", "service-1", GmailRateLimited, T0);
        return controller.Snapshot(T0).Lanes.Single().RatePerMinute;
    }

    private static ServiceProvider Services(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddThrottleController();
        return services.BuildServiceProvider();
    }
}
