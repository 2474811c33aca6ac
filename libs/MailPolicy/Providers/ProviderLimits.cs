namespace ProMTA.MailPolicy.Providers;

/// <summary>
/// One receiving provider of the catalogue (<c>Data/providers.json</c>): how it is recognised (by MX host, and by
/// recipient domain before the MX is known), how customers see it named, and the starting point and bounds the
/// controller works within for it, per source IP.
/// </summary>
public sealed record ProviderLimits
{
    /// <summary>The provider's name as used in every controller call ("gmail", "outlook", ... "default").</summary>
    public required string Name { get; init; }

    /// <summary>
    /// How customers see the provider named ("Gmail", ... "Other"): stored with each queued recipient, counted in the
    /// statistics, accepted by queue filters and holds, sent in webhook events. Defaults to <see cref="Name"/>.
    /// </summary>
    public string Label { get => field ?? Name; init; }

    /// <summary>MX host suffixes that belong to this provider: what decides how a destination is shaped.</summary>
    public IReadOnlyList<string> MxSuffixes { get; init; } = [];

    /// <summary>
    /// Recipient domains that are known to be this provider's, the hint used before (or without) an MX lookup, e.g. when a
    /// recipient is queued: "gmail." is that name under any suffix (gmail.com, gmail.co.uk, mail.gmail.test);
    /// "icloud.com" is that domain and its subdomains.
    /// </summary>
    public IReadOnlyList<string> RecipientDomains { get; init; } = [];

    /// <summary>Where a new lane starts, in messages per minute.</summary>
    public required double StartRatePerMinute { get; init; }

    /// <summary>Decreases never go below this.</summary>
    public required double FloorRatePerMinute { get; init; }

    /// <summary>Increases never go above this.</summary>
    public required double CeilingRatePerMinute { get; init; }

    /// <summary>Concurrent connections a new lane may open.</summary>
    public required int StartConnections { get; init; }

    /// <summary>Concurrent connections never go above this.</summary>
    public required int MaxConnections { get; init; }

    /// <summary>Messages to send over one connection before closing it.</summary>
    public required int MessagesPerConnection { get; init; }
}
