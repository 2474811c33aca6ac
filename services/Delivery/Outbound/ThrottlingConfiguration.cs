using Microsoft.Extensions.Options;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Reputation;

namespace ProMTA.Delivery.Outbound;

/// <summary>
/// The throttling controller's tuning from configuration (section "Delivery:Throttling", bound to
/// <see cref="ThrottlingOptions"/>), so an operator changes it without a rebuild: <c>Shaping:*</c> and
/// <c>Reputation:*</c> override single values of the policies (unset ones keep the shipped defaults);
/// <c>Tables:ReplyRules</c>, <c>Tables:Providers</c> and <c>Tables:WarmUp</c> name JSON files in the shipped format
/// (libs/MailPolicy/Data) that replace a whole table, e.g. from a mounted ConfigMap. Validated on start: a value or file
/// that does not work stops the service at start with the reason, never later.
/// </summary>
public static class ThrottlingConfiguration
{
    public const string SectionName = "Delivery:Throttling";

    /// <summary>The controller (one per process) and its options, bound, loaded and validated on start.</summary>
    public static IServiceCollection AddThrottleController(this IServiceCollection services)
    {
        services.AddOptions<ThrottlingOptions>()
            .Configure(o => o.Reputation = DeliveryReputation)
            .BindConfiguration(SectionName)
            .Configure<IConfiguration>((o, configuration) => o.Data = LoadTables(configuration.GetSection($"{SectionName}:Tables")))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ThrottlingOptions>, ProblemsValidator>();
        services.AddSingleton(sp => new ThrottleController(sp.GetRequiredService<IOptions<ThrottlingOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        // The controller's catalogue is the one every part of Delivery names providers by (queueing, filters, statistics).
        services.AddSingleton(sp => sp.GetRequiredService<ThrottleController>().Providers);
        // The same rule table tells the outcome step why a recipient bounced.
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ThrottlingOptions>>().Value.Data.Replies);
        return services;
    }

    /// <summary>
    /// Delivery's reputation thresholds before configuration: the library's, except that a complaint rate counts only
    /// from the 2nd complaint in the window (one report from a small clean list is chance; docs/inbound.md).
    /// </summary>
    public static ReputationPolicy DeliveryReputation => new() { MinimumComplaints = 2 };

    private static ThrottlingData LoadTables(IConfigurationSection tables)
    {
        try
        {
            return ThrottlingData.FromJson(File(tables["ReplyRules"]), File(tables["Providers"]), File(tables["WarmUp"]));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or ArgumentException or InvalidDataException)
        {
            throw new OptionsValidationException(SectionName, typeof(ThrottlingOptions), [$"{SectionName}:Tables: {e.Message}"]);
        }
    }

    private static string? File(string? path) => string.IsNullOrWhiteSpace(path) ? null : System.IO.File.ReadAllText(path);

    // Names every problem with its configuration key, where a plain Validate could only give one fixed message.
    private sealed class ProblemsValidator : IValidateOptions<ThrottlingOptions>
    {
        public ValidateOptionsResult Validate(string? name, ThrottlingOptions options) =>
            options.Problems() is { Count: > 0 } problems
                ? ValidateOptionsResult.Fail(problems.Select(p => $"{SectionName}:{p}"))
                : ValidateOptionsResult.Success;
    }
}
