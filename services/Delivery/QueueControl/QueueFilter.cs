using System.Text;
using Dapper;
using ProMTA.Delivery.Domain;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Delivery.QueueControl;

/// <summary>
/// Which queued recipients of a service a purge or a requeue touches: every field given must match (provider, the
/// recipient's domain, the envelope sender, received more than <see cref="OlderThanMinutes"/> ago, one message by
/// the id of the relay's 250 reply). An empty filter matches nothing unless <see cref="All"/> says the whole queue.
/// </summary>
public sealed record QueueFilter(string? Provider, string? Domain, string? Sender, int? OlderThanMinutes, string? MessageId, bool All = false)
{
    public bool IsEmpty => Provider is null && Domain is null && Sender is null && OlderThanMinutes is null && MessageId is null;

    /// <summary>The fields' errors, named as the request names them; <paramref name="providers"/> are the labels recipients are queued under.</summary>
    public Validation Validate(Validation validation, IReadOnlyList<string> providers) => validation
        .Check("provider", Provider is null || providers.Contains(Provider), $"provider must be one of {string.Join(", ", providers)}.")
        .Check("domain", Domain is null || (Domain.Length is > 0 and <= 253 && !Domain.Contains('@') && !Domain.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))),
            "domain must be a recipient domain such as example.com.")
        .Check("sender", Sender is null || (Sender.Length is > 0 and <= 320 && !Sender.Any(char.IsControl)), "sender must be the envelope sender (MAIL FROM) address.")
        .Check("olderThanMinutes", OlderThanMinutes is null or (>= 0 and <= 60 * 24 * 90), "olderThanMinutes must be between 0 and 129600 (90 days).")
        .Check("messageId", MessageId is null || Guid.TryParse(MessageId, out _), "messageId must be the id of the relay's 250 reply (\"queued as ...\").")
        .Check("all", !IsEmpty || All, "Give at least one of provider, domain, sender, olderThanMinutes, messageId; or \"all\": true for the whole queue.");

    /// <summary>
    /// The SQL conditions on <c>r</c> (recipients) and <c>m</c> (messages) for the fields given, with their parameters
    /// added to <paramref name="parameters"/>. Built from fixed fragments: only the present fields are in the statement,
    /// so each shape gets its own plan instead of one generic plan with "IS NULL OR" branches.
    /// </summary>
    public string Conditions(DynamicParameters parameters)
    {
        var sql = new StringBuilder();
        if (Provider is not null) Add(sql, parameters, "r.provider = @Provider", "Provider", Provider);
        if (Domain is not null) Add(sql, parameters, "lower(r.domain) = @Domain", "Domain", Domain.Trim().TrimEnd('.').ToLowerInvariant());
        if (Sender is not null) Add(sql, parameters, "lower(m.mail_from) = @Sender", "Sender", Sender.Trim().ToLowerInvariant());
        if (OlderThanMinutes is { } minutes) Add(sql, parameters, "m.received_at < @Now - make_interval(mins => @OlderThanMinutes)", "OlderThanMinutes", minutes);
        if (MessageId is not null) Add(sql, parameters, "r.message_id = @MessageId", "MessageId", Guid.Parse(MessageId));
        return sql.ToString();
    }

    private static void Add(StringBuilder sql, DynamicParameters parameters, string condition, string name, object value)
    {
        sql.Append(" AND ").Append(condition);
        parameters.Add(name, value);
    }
}
