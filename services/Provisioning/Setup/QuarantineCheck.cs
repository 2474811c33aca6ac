using System.Net;
using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Reputation;

namespace ProMTA.Provisioning.Setup;

/// <summary>The DNS blocklists an address leaving quarantine is looked up in (section "Reputation", as Delivery's watch).</summary>
public sealed class QuarantineCheckOptions
{
    public List<BlocklistZone> Blocklists { get; set; } = [];

    /// <summary>The resolvers to ask (ip:port); required when lists are configured.</summary>
    public string[] Resolvers { get; set; } = [];

    /// <summary>How long a listed (or unanswered) address stays quarantined before it is looked up again.</summary>
    public TimeSpan RecheckAfter { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>
/// Issue 20: a new customer never receives an address a blocklist lists. An address whose quarantine is over is looked
/// up in every IP list; listed, or a list that gives no usable answer, keeps it quarantined for another
/// <see cref="QuarantineCheckOptions.RecheckAfter"/> with the reason; no lists configured, it is released as before.
/// </summary>
public sealed class QuarantineCheck(IOptions<QuarantineCheckOptions> options)
{
    private readonly BlocklistLookup? lookup = options.Value.Blocklists.Any(z => z.Kind == BlocklistKinds.Ip)
        ? new BlocklistLookup([.. options.Value.Resolvers.Select(IPEndPoint.Parse)])
        : null;

    public TimeSpan RecheckAfter => options.Value.RecheckAfter;

    /// <summary>Why <paramref name="address"/> must stay quarantined, or null when it may go back to the pool.</summary>
    public async Task<string?> ReasonToKeepAsync(string address, CancellationToken ct)
    {
        if (lookup is null) return null;
        foreach (var zone in options.Value.Blocklists.Where(z => z.Kind == BlocklistKinds.Ip))
        {
            var answer = await lookup.CheckAsync(address, zone, ct);
            if (answer.Verdict == BlocklistVerdict.Listed) return $"listed by {zone.Name}: {answer.Answer}";
            if (answer.Verdict == BlocklistVerdict.Unknown) return $"{zone.Name} gave no usable answer; looked up again later";
        }
        return null;
    }
}
