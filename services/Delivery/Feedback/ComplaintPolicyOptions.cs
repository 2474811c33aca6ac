namespace ProMTA.Delivery.Feedback;

/// <summary>
/// The "Throttling:Reputation" section: how many complaints (ARF reports) a tenant needs at one provider within the
/// reputation window (1 h) before its complaint rate can slow or pause it. A business rule (docs/inbound.md): one
/// complaint from a small, clean sender's list is chance; two in an hour are a pattern.
/// </summary>
public sealed class ComplaintPolicyOptions
{
    public long MinimumComplaints { get; set; } = 2;
}
