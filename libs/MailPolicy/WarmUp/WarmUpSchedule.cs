using ProMTA.MailPolicy.Providers;

namespace ProMTA.MailPolicy.WarmUp;

/// <summary>How much a warming IP may send to one provider on its first day, and when it counts as warm.</summary>
public sealed record WarmUpProvider(string Name, long FirstDayCap, long WarmDailyVolume);

/// <summary>
/// The warm-up schedule (<c>Data/warmup.json</c>): day N of warm-up allows FirstDayCap x GrowthPerDay^(N-1) messages
/// per provider; ISPs trust a new IP by its history, so the volume grows on a schedule whatever the replies say.
/// </summary>
public sealed record WarmUpSchedule
{
    /// <summary>Daily growth of the cap (about 1.4).</summary>
    public required double GrowthPerDay { get; init; }

    /// <summary>An IP idle for this many days warms up again: ISPs forget a sender's history.</summary>
    public required int RewarmAfterIdleDays { get; init; }

    /// <summary>The per-provider first-day caps; an entry named "default" covers the others.</summary>
    public required IReadOnlyList<WarmUpProvider> Providers { get; init; }

    /// <summary>How long an IP may sit idle before it warms up again.</summary>
    public TimeSpan RewarmAfterIdle => TimeSpan.FromDays(RewarmAfterIdleDays);

    /// <summary>The cap for <paramref name="provider"/> on warm-up day <paramref name="day"/> (1-based), or null once warm.</summary>
    public long? DailyCap(string provider, int day)
    {
        var entry = Providers.FirstOrDefault(p => string.Equals(p.Name, provider, StringComparison.OrdinalIgnoreCase))
            ?? Providers.FirstOrDefault(p => p.Name == ProviderCatalog.DefaultName);
        if (entry is null) return null;
        var cap = entry.FirstDayCap * Math.Pow(GrowthPerDay, Math.Max(0, day - 1));
        // The epsilon keeps 500 x 1.4 x 1.4 at 980 rather than 979.99...
        return cap >= entry.WarmDailyVolume ? null : (long)Math.Floor(cap + 1e-6);
    }
}
