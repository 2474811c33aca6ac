using System.Collections.Concurrent;

namespace ProMTA.MailPolicy.Replies;

/// <summary>
/// Classifies every outcome before the controller reacts to it, with a rule table shipped as data
/// (<c>Data/reply-rules.json</c>) and overridable through <see cref="ThrottlingData"/>.
/// </summary>
public sealed class ReplyClassifier(IReadOnlyList<ReplyRule> rules)
{
    // ISPs repeat the same texts thousands of times a minute; scanning the table once per distinct text is enough.
    // The cap keeps texts carrying queue ids from growing the cache without bound.
    private const int CacheCapacity = 4096;
    private readonly ConcurrentDictionary<(int Code, string Text, ReplySource Source, string Provider), ReplyClassification> _cache = new();

    /// <summary>The rules in the order they are tried.</summary>
    public IReadOnlyList<ReplyRule> Rules { get; } = rules;

    /// <summary>Classifies <paramref name="reply"/> as received from <paramref name="provider"/>.</summary>
    public ReplyClassification Classify(SmtpReply reply, string provider)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var key = (reply.Code, reply.Text, reply.Source, provider);
        if (_cache.TryGetValue(key, out var cached)) return cached;

        var result = ClassifyUncached(reply, provider);
        if (_cache.Count < CacheCapacity) _cache.TryAdd(key, result);
        return result;
    }

    private ReplyClassification ClassifyUncached(SmtpReply reply, string provider)
    {
        foreach (var rule in Rules)
        {
            if (rule.Matches(reply, provider)) return new ReplyClassification(rule.Class, rule);
        }

        var fallback = reply.Source switch
        {
            ReplySource.ConnectionFailure => ReplyClass.ConnectionFailure,
            _ => (reply.Code / 100) switch
            {
                2 => ReplyClass.Accepted,
                4 => ReplyClass.OtherTransient,
                _ => ReplyClass.OtherPermanent,
            },
        };
        return new ReplyClassification(fallback, null);
    }
}
