namespace ProMTA.MailPolicy.Replies;

/// <summary>
/// One row of the classification table. A rule matches when every field it sets matches; the first matching rule
/// of the table wins, so specific answers (Gmail's "unusual rate of unsolicited mail" is also a 4.7.28) come first.
/// </summary>
public sealed record ReplyRule
{
    /// <summary>A stable name, shown in snapshots and notices so people can tell which rule fired.</summary>
    public required string Name { get; init; }

    /// <summary>The class the reply gets when this rule matches.</summary>
    public required ReplyClass Class { get; init; }

    /// <summary>Only outcomes from this source (default: any).</summary>
    public ReplySource? Source { get; init; }

    /// <summary>Basic reply codes, any of which matches (default: any).</summary>
    public IReadOnlyList<int>? Codes { get; init; }

    /// <summary>A prefix of the enhanced status code ("5.1." matches 5.1.1 and 5.1.10).</summary>
    public string? Enhanced { get; init; }

    /// <summary>Phrases, any of which must occur in the text, ignoring case.</summary>
    public IReadOnlyList<string>? Contains { get; init; }

    /// <summary>Only for this provider (default: any).</summary>
    public string? Provider { get; init; }

    /// <summary>Why the recipient bounced when this reply is final; null uses the default of <see cref="Class"/>.</summary>
    public BounceClass? Bounce { get; init; }

    /// <summary>How long a Reputation or Authentication answer suspends sending; null uses the policy default.</summary>
    public TimeSpan? Suspend { get; init; }

    internal bool Matches(SmtpReply reply, string provider)
    {
        if (Source is { } source && source != reply.Source) return false;
        if (Source is null && reply.Source != ReplySource.Remote) return false;
        if (Codes is { Count: > 0 } codes && !codes.Contains(reply.Code)) return false;
        if (Enhanced is { } enhanced && reply.EnhancedCode?.StartsWith(enhanced, StringComparison.Ordinal) != true) return false;
        if (Provider is { } p && !string.Equals(p, provider, StringComparison.OrdinalIgnoreCase)) return false;
        if (Contains is { Count: > 0 } phrases
            && !phrases.Any(phrase => reply.Text.Contains(phrase, StringComparison.OrdinalIgnoreCase))) return false;
        return true;
    }
}
