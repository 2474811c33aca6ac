using ProMTA.Delivery.Outbound.Dispatch;
using Xunit;
using static ProMTA.Delivery.Tests.OutboundStages.StageKit;

namespace ProMTA.Delivery.Tests.OutboundStages;

/// <summary>How long a batch may wait and send under its claim: never so long that another claim could send its mail too.</summary>
public sealed class BatchLeaseTests
{
    [Fact]
    public void A_batch_takes_its_turns_until_the_margin_before_its_earliest_claim_ends()
    {
        using var kit = new StageKit();
        var lease = BatchLease.Of([Recipient(1, "ada@gmail.test"), Recipient(2, "bea@gmail.test") with { ClaimedUntil = T0 + TimeSpan.FromMinutes(9) }], kit.Options);

        Assert.Equal(T0 + TimeSpan.FromMinutes(9) - kit.Options.LeaseMargin, lease.WaitUntil);
    }

    [Fact]
    public void A_message_starts_only_while_the_claim_outlasts_its_send_and_each_further_transaction_needs_a_timeout_more()
    {
        using var kit = new StageKit();
        var lease = BatchLease.Of([Recipient(1, "ada@gmail.test")], kit.Options);
        var end = T0 + kit.Options.Lease;

        Assert.True(lease.Outlasts(lease.WaitUntil - TimeSpan.FromSeconds(1), transactions: 1));
        Assert.False(lease.Outlasts(lease.WaitUntil, transactions: 1));
        // Three VERP transactions: two more may each take a whole timeout.
        Assert.False(lease.Outlasts(end - kit.Options.LeaseMargin - 2 * kit.Options.Timeout, transactions: 3));
        Assert.True(lease.Outlasts(end - kit.Options.LeaseMargin - 2 * kit.Options.Timeout - TimeSpan.FromSeconds(1), transactions: 3));
    }
}
