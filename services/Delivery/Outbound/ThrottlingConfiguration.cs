using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Reputation;
using ProMTA.MailPolicy.Shaping;

namespace ProMTA.Delivery.Outbound;

/// <summary>
/// The throttling controller's tuning from configuration (section "Delivery:Throttling"), so an operator changes it
/// without a rebuild: <c>Shaping:*</c> and <c>Reputation:*</c> override single values of <see cref="ShapingPolicy"/> and
/// <see cref="ReputationPolicy"/> (unset ones keep the shipped defaults); <c>Tables:ReplyRules</c>, <c>Tables:Providers</c>
/// and <c>Tables:WarmUp</c> name JSON files in the shipped format (libs/MailPolicy/Data) that replace a whole
/// table, e.g. from a mounted ConfigMap. A value or file that does not parse stops the service at start, never later.
/// </summary>
public static class ThrottlingConfiguration
{
    public const string SectionName = "Delivery:Throttling";

    public static ThrottlingOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var tables = section.GetSection("Tables");
        var defaults = new ThrottlingOptions();
        var options = new ThrottlingOptions
        {
            Data = ThrottlingData.FromJson(File(tables["ReplyRules"]), File(tables["Providers"]), File(tables["WarmUp"])),
            Shaping = section.GetSection("Shaping").Get<ShapingPolicy>() ?? defaults.Shaping,
            Reputation = Bound(section.GetSection("Reputation"), DeliveryReputation),
            LaneStatisticsWindow = section.GetValue("LaneStatisticsWindow", defaults.LaneStatisticsWindow),
        };
        var shaping = options.Shaping;
        if (options.Reputation.MinimumComplaints < 1) throw new InvalidOperationException($"{SectionName}:Reputation:MinimumComplaints must be at least 1.");
        if (shaping.DecreaseFactor is <= 0 or >= 1 || shaping.SlowStartFactor <= 1 || shaping.ProbeBudget is < 0 or > 1 || shaping.FallbackShare is <= 0 or > 1)
        {
            throw new InvalidOperationException($"{SectionName}:Shaping: DecreaseFactor and FallbackShare must be in (0, 1), SlowStartFactor above 1, ProbeBudget in [0, 1].");
        }
        return options;
    }

    /// <summary>
    /// Delivery's reputation thresholds before configuration: the library's, except that a complaint rate counts only
    /// from the 2nd complaint in the window (one report from a small clean list is chance; docs/inbound.md).
    /// </summary>
    public static ReputationPolicy DeliveryReputation => new() { MinimumComplaints = 2 };

    private static T Bound<T>(IConfigurationSection section, T defaults) where T : class
    {
        section.Bind(defaults);
        return defaults;
    }

    private static string? File(string? path) => string.IsNullOrWhiteSpace(path) ? null : System.IO.File.ReadAllText(path);
}
