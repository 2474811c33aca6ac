namespace ProMTA.Delivery.Domain;

public static class BounceClass
{
    public const string UserUnknown = nameof(UserUnknown);
    public const string MailboxFull = nameof(MailboxFull);
    public const string Policy = nameof(Policy);
    public const string Content = nameof(Content);
    public const string Dns = nameof(Dns);
    public const string Other = nameof(Other);
    /// <summary>Never refused, only deferred until the message lifetime ended.</summary>
    public const string Expired = nameof(Expired);
}

/// <summary>
/// Why a recipient bounced, from the enhanced status code (RFC 3463) first and the text second. Only a user that does
/// not exist is a hard bounce that suppresses the address: the others say nothing final about the address itself.
/// </summary>
public static class BounceClassifier
{
    public static string Classify(int code, string text)
    {
        var t = text.ToLowerInvariant();
        if (t.Contains("5.1.1") || t.Contains("5.1.10") || t.Contains("user unknown") || t.Contains("does not exist") || t.Contains("no such user"))
            return BounceClass.UserUnknown;
        if (t.Contains(".2.2") || t.Contains("mailbox full") || t.Contains("quota")) return BounceClass.MailboxFull;
        if (t.Contains("5.1.2") || t.Contains("5.4.4") || t.Contains("no mail server") || t.Contains("domain not found")) return BounceClass.Dns;
        // Blocklists name "Spamhaus": look for the sender's reputation before the message's content.
        if (t.Contains("blocked") || t.Contains("blocklist") || t.Contains("spamhaus") || t.Contains("reputation") || t.Contains("policy"))
            return BounceClass.Policy;
        if (t.Contains("spam") || t.Contains("content") || t.Contains("virus")) return BounceClass.Content;
        if (t.Contains("5.7.")) return BounceClass.Policy;
        return BounceClass.Other;
    }

    public static bool Suppresses(string bounceClass) => bounceClass == BounceClass.UserUnknown;
}
