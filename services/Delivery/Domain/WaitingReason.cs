using System.Globalization;
using ProMTA.Delivery.Data;
using ProMTA.MailPolicy;
using ProMTA.MailPolicy.Providers;
using ProMTA.MailPolicy.Reputation;
using ProMTA.MailPolicy.Shaping;

namespace ProMTA.Delivery.Domain;

/// <summary>Why a queued recipient has not been delivered yet, in a sentence for the customer, and until when.</summary>
public sealed record Waiting(string Reason, DateTimeOffset? Until);

/// <summary>
/// Explains a queued recipient from what decides its next attempt, most binding first: the relay held (suspended
/// service), a queue-control hold, every source IP blocklisted, the tenant paused at the provider (bounces/complaints), the provider refusing the source IP, the ISP's
/// last deferral, a warm-up cap, our own pace. The lane is the service's slowest one for the provider: the one the
/// customer feels, as on the delivery overview.
/// </summary>
public static class WaitingReason
{
    /// <summary>
    /// Explains a queued recipient in the lane the worker shapes it in: the provider of its domain's most preferred MX
    /// host (<paramref name="mxHost"/>; a company domain at Google is paced as Gmail), else its domain's provider.
    /// <paramref name="serviceLanes"/> are the service's lanes of every provider, <paramref name="tenants"/> every tenant.
    /// </summary>
    public static Waiting? Explain(
        TrailRecipient recipient, string? mxHost, ProviderCatalog catalog, string relayStatus, IReadOnlyList<LaneSnapshot> serviceLanes,
        IReadOnlyList<TenantSnapshot> tenants, string tenant, DateTimeOffset now)
    {
        var shapedAs = catalog.ShapedAs(recipient.Provider, mxHost);
        var shownAs = shapedAs == catalog.ForLabel(recipient.Provider).Name
            ? recipient.Provider
            : $"{catalog.Get(shapedAs).Label} ({recipient.Domain}'s MX)";
        return Explain(recipient, shownAs, relayStatus, [.. serviceLanes.Where(l => l.Provider == shapedAs)],
            tenants.FirstOrDefault(t => t.Tenant == tenant && t.Provider == shapedAs), now);
    }

    /// <summary><paramref name="provider"/> is the provider as the worker shapes the recipient (by its domain's MX), named for the customer.</summary>
    public static Waiting? Explain(
        TrailRecipient recipient, string provider, string relayStatus, IReadOnlyList<LaneSnapshot> lanes, TenantSnapshot? tenant, DateTimeOffset now)
    {
        if (recipient.Status != "Queued") return null;
        var next = recipient.NextAttemptAt > now ? recipient.NextAttemptAt : (DateTimeOffset?)null;
        if (relayStatus != RelayAccounts.Active)
        {
            return new($"Held: the service's relay is {relayStatus.ToLowerInvariant()}; queued mail waits and is sent when it is active again.", null);
        }
        if (recipient.Held)
        {
            return new($"Paused: mail to {recipient.Provider} (or all of this service's mail) is on hold in the queue controls; it is sent when resumed.", null);
        }
        if (recipient.LastReply is { } held && held.StartsWith("held: ", StringComparison.Ordinal) && held.Contains(" listed by ", StringComparison.Ordinal))
        {
            return new($"Waiting: every IP of this service is on a blocklist {provider} uses ({held["held: ".Length..]}). Next check at the time given.", next);
        }
        if (tenant is { SuspendedUntil: { } paused } && paused > now)
        {
            return new($"Paused at {provider}: this service's recent bounces ({Percent(tenant.BounceRate)}) or complaints "
                + $"({Percent(tenant.ComplaintRate)}) are above the provider's limits.", paused);
        }
        var lane = lanes.MinBy(l => l.RatePerMinute);
        if (lane is { Mode: ShapingMode.Suspended, SuspendedUntil: { } refused } && refused > now)
        {
            return new($"{provider} refused mail from {lane.SourceIp} for its reputation; sending there resumes after the pause.", refused);
        }
        var pace = lane is null ? "" : $" The {provider} lane sends at {Math.Round(lane.RatePerMinute).ToString(CultureInfo.InvariantCulture)}/min"
            + (lane.Mode == ShapingMode.Normal ? "." : $" ({Describe(lane.Mode)}).");
        if (recipient.Deferrals > 0 && recipient.LastReply is { } reply && reply.StartsWith('4'))
        {
            return new($"{provider} deferred the last attempt ({reply}).{pace} Next attempt at the time given.", next);
        }
        if (lane is { Mode: ShapingMode.WarmingUp, WarmUpDailyCap: { } cap } && lane.SentToday >= cap)
        {
            return new($"{lane.SourceIp} is warming up: today's {cap} messages to {provider} are sent; the rest goes tomorrow.", next);
        }
        if (tenant is { Verdict: ReputationVerdict.SlowedDown })
        {
            return new($"Slowed at {provider}: this service's bounces or complaints are above the slow-down threshold.{pace}", next);
        }
        return next is null
            ? new($"Due now, waiting for its turn.{pace}", null)
            : new($"Waiting for its turn.{pace} Next attempt at the time given.", next);
    }

    private static string Describe(ShapingMode mode) => mode switch
    {
        ShapingMode.Backoff => "slowed after the ISP pushed back, climbing again",
        ShapingMode.WarmingUp => "warming up a new IP",
        ShapingMode.Suspended => "paused",
        _ => mode.ToString(),
    };

    private static string Percent(double rate) => rate.ToString("0.##%", CultureInfo.InvariantCulture);
}
