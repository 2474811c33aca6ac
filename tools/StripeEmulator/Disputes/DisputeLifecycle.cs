using StripeEmulator.Charges;
using StripeEmulator.Errors;
using StripeEmulator.Http;
using StripeEmulator.Store;
using StripeEmulator.Webhooks;

namespace StripeEmulator.Disputes;

/// <summary>
/// Disputes as Stripe's test mode runs them: opened on a successful charge (funds withdrawn at once), then won or
/// lost. Evidence whose text is <c>winning_evidence</c> wins and <c>losing_evidence</c> loses (Stripe's documented
/// test values); closing a dispute accepts it, so it is lost. Callers hold the store lock.
/// </summary>
public sealed class DisputeLifecycle(EmulatorStore store, WebhookPublisher webhooks, TimeProvider clock)
{
    private static readonly TimeSpan EvidenceWindow = TimeSpan.FromDays(7);

    public Dispute Open(Charge charge, string reason, StripeRequestContext? request)
    {
        if (!charge.Succeeded)
        {
            throw StripeErrors.InvalidRequest($"Charge {charge.Id} has not succeeded and cannot be disputed.", "charge");
        }

        if (store.Disputes.Where(existing => existing.ChargeId == charge.Id).Count > 0)
        {
            throw StripeErrors.InvalidRequest($"Charge {charge.Id} has already been disputed.", "charge", "charge_disputed");
        }

        var now = clock.GetUtcNow();
        var dispute = store.Disputes.Save(new Dispute
        {
            Id = StripeIds.New("dp"),
            Created = now.ToUnixTimeSeconds(),
            Amount = charge.Amount - charge.AmountRefunded,
            Currency = charge.Currency,
            ChargeId = charge.Id,
            PaymentIntentId = charge.PaymentIntentId,
            Reason = reason,
            Status = DisputeStatus.NeedsResponse,
            EvidenceDueBy = (now + EvidenceWindow).ToUnixTimeSeconds(),
            BalanceTransactionIds = [StripeIds.New("txn")],
            Metadata = Metadata.Empty,
        });
        store.Charges.Save(charge with { Disputed = true });
        webhooks.Publish("charge.dispute.created", DisputeJson.Render(dispute), request);
        webhooks.Publish("charge.dispute.funds_withdrawn", DisputeJson.Render(dispute), request);
        return dispute;
    }

    public Dispute SubmitEvidence(Dispute dispute, string? text, bool submit, StripeRequestContext request)
    {
        EnsureOpen(dispute, "update");
        var updated = store.Disputes.Save(dispute with
        {
            UncategorizedText = text ?? dispute.UncategorizedText,
            SubmissionCount = submit ? dispute.SubmissionCount + 1 : dispute.SubmissionCount,
            Status = submit ? DisputeStatus.UnderReview : dispute.Status,
        });
        webhooks.Publish("charge.dispute.updated", DisputeJson.Render(updated), request);
        return submit && updated.UncategorizedText is "winning_evidence" or "losing_evidence"
            ? Close(updated, updated.UncategorizedText == "winning_evidence" ? DisputeStatus.Won : DisputeStatus.Lost, request)
            : updated;
    }

    /// <summary>POST /v1/disputes/{id}/close: the merchant accepts the dispute.</summary>
    public Dispute Accept(Dispute dispute, StripeRequestContext request)
    {
        EnsureOpen(dispute, "close");
        return Close(dispute, DisputeStatus.Lost, request);
    }

    private Dispute Close(Dispute dispute, string outcome, StripeRequestContext request)
    {
        var closed = store.Disputes.Save(dispute with
        {
            Status = outcome,
            BalanceTransactionIds = outcome == DisputeStatus.Won ? [.. dispute.BalanceTransactionIds, StripeIds.New("txn")] : dispute.BalanceTransactionIds,
        });
        webhooks.Publish("charge.dispute.closed", DisputeJson.Render(closed), request);
        if (outcome == DisputeStatus.Won)
        {
            webhooks.Publish("charge.dispute.funds_reinstated", DisputeJson.Render(closed), request);
        }

        return closed;
    }

    private static void EnsureOpen(Dispute dispute, string action)
    {
        if (dispute.IsClosed)
        {
            throw StripeErrors.InvalidRequest($"This dispute is already closed ({dispute.Status}); you cannot {action} it.", code: "dispute_already_closed");
        }
    }
}
