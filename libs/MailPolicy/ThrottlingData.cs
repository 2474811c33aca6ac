using System.Text.Json;
using System.Text.Json.Serialization;
using ProMTA.MailPolicy.Providers;
using ProMTA.MailPolicy.Replies;
using ProMTA.MailPolicy.WarmUp;

namespace ProMTA.MailPolicy;

/// <summary>
/// The three data tables the controller works from: reply classification rules, provider limits and the warm-up
/// schedule. <see cref="Default"/> loads the copies embedded in the assembly; <see cref="FromJson"/> replaces any of
/// them (operators tune the tables, not the code).
/// </summary>
public sealed record ThrottlingData(ReplyClassifier Replies, ProviderCatalog Providers, WarmUpSchedule WarmUp)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly Lazy<ThrottlingData> Embedded = new(() => FromJson(
        ReadResource("reply-rules.json"), ReadResource("providers.json"), ReadResource("warmup.json")));

    /// <summary>The tables shipped with the product.</summary>
    public static ThrottlingData Default => Embedded.Value;

    /// <summary>
    /// Builds the tables from JSON documents in the shipped format; a null document keeps the embedded table.
    /// </summary>
    public static ThrottlingData FromJson(string? replyRulesJson = null, string? providersJson = null, string? warmUpJson = null)
    {
        var replies = replyRulesJson is null ? Default.Replies : new ReplyClassifier(ParseReplyRules(replyRulesJson));
        var providers = providersJson is null ? Default.Providers : ParseProviders(providersJson);
        var warmUp = warmUpJson is null ? Default.WarmUp : Parse<WarmUpSchedule>(warmUpJson, "warm-up schedule");
        return new ThrottlingData(replies, providers, warmUp);
    }

    private static IReadOnlyList<ReplyRule> ParseReplyRules(string json) =>
        Parse<ReplyRulesDocument>(json, "reply rules").Rules;

    private static ProviderCatalog ParseProviders(string json)
    {
        var document = Parse<ProvidersDocument>(json, "provider limits");
        return new ProviderCatalog(document.Providers, document.UnmanagedSafetyCaps);
    }

    private static T Parse<T>(string json, string what) =>
        JsonSerializer.Deserialize<T>(json, JsonOptions) ?? throw new InvalidDataException($"The {what} document is empty.");

    private static string ReadResource(string name)
    {
        var resource = $"ProMTA.MailPolicy.Data.{name}";
        using var stream = typeof(ThrottlingData).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded table {resource} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private sealed record ReplyRulesDocument(IReadOnlyList<ReplyRule> Rules);

    private sealed record ProvidersDocument(IReadOnlyList<ProviderLimits> Providers, SafetyCaps UnmanagedSafetyCaps);
}
