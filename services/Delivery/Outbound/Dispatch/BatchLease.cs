using ProMTA.Delivery.Data;

namespace ProMTA.Delivery.Outbound.Dispatch;

/// <summary>
/// How long a batch may still wait and send under its claim. Its recipients are this process's only until their claim's
/// lease ends (<c>Delivery:Lease</c>); after that another claim (another replica, or this one after a restart) may send
/// them again. So a batch takes no turn (a slot, a permit, a connection) after <see cref="WaitUntil"/>, and starts a
/// message only while the claim outlasts that message's send and outcome (<c>Delivery:LeaseMargin</c>, plus
/// <c>Delivery:Timeout</c> for each further SMTP transaction). What cannot go by then goes back to the queue, due at once.
/// </summary>
/// <remarks>
/// Handing back rather than renewing the claim while the batch waits: no statement per waiting batch, and nothing that
/// can fail half-way (a renewal that came too late would have to be detected anyway; the deadline alone cannot be late).
/// </remarks>
internal readonly record struct BatchLease(DateTimeOffset ClaimedUntil, TimeSpan Margin, TimeSpan TransactionTimeout)
{
    public static BatchLease Of(IEnumerable<ClaimedRecipient> recipients, OutboundOptions options) =>
        new(recipients.Min(r => r.ClaimedUntil), options.LeaseMargin, options.Timeout);

    /// <summary>The batch takes no turn from then on: a message that had it later could not be sent in time.</summary>
    public DateTimeOffset WaitUntil => ClaimedUntil - Margin;

    /// <summary>True when a message of <paramref name="transactions"/> SMTP transactions, started now, is done before the claim ends.</summary>
    public bool Outlasts(DateTimeOffset now, int transactions) =>
        now + Margin + TransactionTimeout * Math.Max(0, transactions - 1) < ClaimedUntil;
}
