namespace ProMTA.MailPolicy.Providers;

/// <summary>The starting point and the bounds the controller works within for one receiving provider, per source IP.</summary>
public sealed record ProviderLimits
{
    /// <summary>The provider's name as used in every controller call ("gmail", "outlook", ... "default").</summary>
    public required string Name { get; init; }

    /// <summary>MX host suffixes that belong to this provider.</summary>
    public IReadOnlyList<string> MxSuffixes { get; init; } = [];

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
