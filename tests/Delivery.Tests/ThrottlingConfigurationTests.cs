using Microsoft.Extensions.Configuration;
using ProMTA.Delivery.Outbound;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>An operator tunes the throttling controller and replaces its tables from configuration, without a rebuild (issue 19 §1).</summary>
public sealed class ThrottlingConfigurationTests
{
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
            var options = ThrottlingConfiguration.Read(Configuration(new()
            {
                ["Delivery:Throttling:Shaping:DecreaseFactor"] = "0.5",
                ["Delivery:Throttling:Shaping:RecoveryProbeInterval"] = "00:00:20",
                ["Delivery:Throttling:Reputation:MinimumSample"] = "50",
                ["Delivery:Throttling:Tables:Providers"] = providers,
            }));
            Assert.Equal((0.5, TimeSpan.FromSeconds(20), 50L), (options.Shaping.DecreaseFactor, options.Shaping.RecoveryProbeInterval, options.Reputation.MinimumSample));
            Assert.Equal(1.5, options.Shaping.SlowStartFactor); // unset: the shipped default
            Assert.Equal(900, options.Data.Providers.All.Single(p => p.Name == "gmail").StartRatePerMinute);
            Assert.Equal("default", options.Data.Providers.ResolveByMx("mx.icloud.com")); // the whole table was replaced
        }
        finally
        {
            File.Delete(providers);
        }
    }

    [Fact]
    public void Nothing_configured_is_the_shipped_behaviour() =>
        Assert.Equal("icloud", ThrottlingConfiguration.Read(Configuration(new())).Data.Providers.ResolveByMx("mx01.mail.icloud.com"));

    [Theory]
    [InlineData("Delivery:Throttling:Shaping:DecreaseFactor", "1.5")]
    [InlineData("Delivery:Throttling:Shaping:SlowStartFactor", "0.9")]
    [InlineData("Delivery:Throttling:Shaping:DecreaseFactor", "fast")]
    [InlineData("Delivery:Throttling:Tables:ReplyRules", "/nonexistent/reply-rules.json")]
    public void A_bad_value_or_file_stops_the_start(string key, string value) =>
        Assert.ThrowsAny<Exception>(() => ThrottlingConfiguration.Read(Configuration(new() { [key] = value })));

    private static IConfiguration Configuration(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
