using System.Globalization;
using ProMTA.Billing.Catalogue;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Invoices;
using ProMTA.Contracts.Billing;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.PlanChanges;

/// <summary>A prorated period as the customer reads it: <c>End</c> is its last day, included.</summary>
public sealed record ProratedPeriodDto(DateOnly Start, DateOnly End, int Days, int DaysLeft, decimal Net);

/// <param name="AmountNow">Charged at once, VAT included (0 for a downgrade or a withdrawal).</param>
/// <param name="NewMonthlyPrice">The new product's monthly price, net (prices exclude VAT).</param>
/// <param name="NewMonthlyPriceWithVat">What each renewal will charge, VAT of the current billing profile included.</param>
public sealed record PlanChangePreview(
    Guid ServiceId, string Kind, string FromProductId, string FromProductName, string ProductId, string ProductName, int ExtraIps, DateOnly EffectiveOn,
    decimal AmountNowNet, decimal AmountNowVat, decimal AmountNow, string Currency, decimal VatRate, string VatTreatment,
    decimal NewMonthlyPrice, decimal NewMonthlyPriceWithVat, int DedicatedIps, IReadOnlyList<ProratedPeriodDto> Periods, string Summary);

/// <param name="Status">Applied (upgrade, paid), Scheduled (downgrade), Withdrawn (a scheduled downgrade taken back), AwaitingPayment
/// (the card asked for 3-D Secure: the plan changes once the customer has paid at <see cref="PayUrl"/>).</param>
public sealed record PlanChangeResult(Guid PlanChangeId, string Status, PlanChangePreview Change, Guid? InvoiceId, long? InvoiceNumber)
{
    /// <summary>Where the customer authenticates the upgrade's payment (Stripe's requires_action), while AwaitingPayment.</summary>
    public string? PayUrl { get; init; }
}

/// <summary>The outcome of a request: a preview or result, or a refusal (404, 400, 409, 402) with its reason.</summary>
public abstract record PlanChangeOutcome
{
    public sealed record NotFound : PlanChangeOutcome;
    public sealed record UnknownProduct(string ProductId) : PlanChangeOutcome;
    public sealed record Refused(PlanRefusal Refusal) : PlanChangeOutcome;
    /// <summary>The card refused the prorated charge: nothing changed.</summary>
    public sealed record Declined(string Reason, PlanChangePreview Change) : PlanChangeOutcome;
    public sealed record Previewed(PlanChangePreview Preview) : PlanChangeOutcome;
    public sealed record Done(PlanChangeResult Result) : PlanChangeOutcome;
}

/// <summary>What an upgrade's charge was decided with (its intent's payload): a retry charges, invoices and applies exactly that.</summary>
/// <param name="Number">The change's number for the service, in its Stripe idempotency key.</param>
public sealed record PlanChangeIntent(Guid ChangeId, int Number, ChangeableService Service, PlanQuote Quote, PlanChangePreview Preview, InvoiceContent Content,
    DateTimeOffset RequestedAt, DateOnly Today);

/// <summary>
/// Previews and makes plan changes (issue 17). An upgrade is charged off-session to the card on file with an
/// idempotency key per change (service, change number, product), invoiced as a proration invoice of the normal
/// series and applied at once: PlanChanged tells Provisioning to add the IPs, which are warmed up like a new
/// service's. No Stripe call runs inside a transaction (CONVENTIONS, issue 20): the decision on the locked service
/// records the charge as an intent (charge_intents, kind PlanChange) and commits; Stripe is called with the change's
/// key; a second short transaction writes the result. The intent keeps renewals, downgrade switches and a second
/// change of the service away until its result is written, so a period can never be renewed at the old price while
/// its upgrade is being charged; a crash in between is completed by ChargeIntentRecovery or by the customer asking
/// the same change again, with the same key, hence the same charge. A change is refused while a renewal's intent is
/// pending. A refused charge is recorded (Declined) and nothing else changes. A downgrade is only scheduled: the
/// renewal of its period charges the new price and DowngradeSwitch applies it when that period starts.
/// </summary>
public sealed partial class PlanChanger(
    Database db, UpgradeCharge upgrades, InvoiceIssuer issuer, BillingCalendar calendar, TimeProvider time, ILogger<PlanChanger> log)
{
    /// <param name="productId">Null: the service's current product (an add-on change only).</param>
    /// <param name="extraIps">Null: as many extra dedicated IPs as the service has now.</param>
    public async Task<PlanChangeOutcome> PreviewAsync(UnitOfWork work, Guid customerId, Guid serviceId, string? productId, int? extraIps = null)
    {
        var (outcome, service, quote) = await DecideAsync(work, customerId, serviceId, productId, extraIps);
        if (outcome is not null) return outcome;
        return new PlanChangeOutcome.Previewed(await PreviewOfAsync(work, service!, quote!));
    }

    /// <summary>
    /// Makes the change in a transaction of its own. A downgrade, a withdrawal or an upgrade paid by bank transfer is
    /// written there; an upgrade charged to the card commits its intent there and is charged after (<see cref="UpgradeCharge"/>).
    /// </summary>
    public async Task<PlanChangeOutcome> ApplyAsync(Guid customerId, Guid serviceId, string? productId, CancellationToken ct, int? extraIps = null)
    {
        PlanChangeOutcome? outcome;
        string? charge;
        await using (var work = await db.BeginAsync(ct))
        {
            (outcome, charge) = await DecideAndWriteAsync(work, customerId, serviceId, productId, extraIps);
            // Refusals write nothing; a change made, a declined one or a recorded charge commits.
            if (outcome is null or PlanChangeOutcome.Done or PlanChangeOutcome.Declined) await work.CommitAsync(ct);
        }
        return charge is null ? outcome! : await upgrades.CompleteAsync(charge, ct);
    }

    private async Task<(PlanChangeOutcome?, string?)> DecideAndWriteAsync(UnitOfWork work, Guid customerId, Guid serviceId, string? productId, int? extraIps)
    {
        var (outcome, service, quote) = await DecideAsync(work, customerId, serviceId, productId, extraIps);
        if (outcome is not null) return (outcome, null);
        var preview = await PreviewOfAsync(work, service!, quote!);
        return quote!.Kind switch
        {
            PlanChangeKind.Upgrade => await UpgradeAsync(work, service!, quote, preview),
            PlanChangeKind.Downgrade => (await ScheduleAsync(work, service!, quote, preview), null),
            _ => (await WithdrawAsync(work, service!, preview), null),
        };
    }

    private async Task<(PlanChangeOutcome?, ChangeableService?, PlanQuote?)> DecideAsync(UnitOfWork work, Guid customerId, Guid serviceId, string? productId,
        int? extraIps)
    {
        var service = await PlanChangeRepository.FindForUpdateAsync(work, customerId, serviceId);
        if (service is null) return (new PlanChangeOutcome.NotFound(), null, null);
        var pending = await ChargeIntents.FindPendingForServiceAsync(work, serviceId, time.GetUtcNow());
        // A renewal charge between its intent and its result: the service's row is not locked through the Stripe call
        // any more, so the change waits for the result (else the period would be charged at the old price, unprorated).
        if (pending is not null && pending.Kind != ChargeIntentKind.PlanChange)
        {
            return (new PlanChangeOutcome.Refused(new PlanRefusal("Renewal under way",
                "The renewal of the next period is being charged; try again in a few minutes.")), null, null);
        }
        // Another change being charged (a second request while the first one's Stripe call runs) is refused, as is any
        // change but the same one again once that one's worker is presumed dead: asking again completes it (below).
        if (pending is { LeasePassed: false }) return (PlanChangeUnderWay(), null, null);
        if (await PlanChangeRepository.FindAwaitingAsync(work, serviceId) is { } waiting)
        {
            return (new PlanChangeOutcome.Refused(new PlanRefusal("Payment pending",
                $"An upgrade of this service waits for you to authenticate its payment at {waiting.PayUrl}; the plan changes once it is paid.")), null, null);
        }
        if (service.ProductName is null && await BilledProducts.FindAsync(work, service.ProductId) is { } current)
        {
            service = service with { ProductName = current.Name }; // ordered before invoices named the plan
        }
        productId ??= service.ProductId;
        var product = await BilledProducts.FindAsync(work, productId);
        if (product is null) return (new PlanChangeOutcome.UnknownProduct(productId), null, null);
        var extras = extraIps ?? service.ExtraIps;
        var today = calendar.LocalDate(time.GetUtcNow());
        if (PlanChangeRules.Refusal(service, product, extras, today) is { } refusal) return (new PlanChangeOutcome.Refused(refusal), null, null);
        var quote = PlanChangeRules.Quote(service, product, extras, today);
        if (pending is not null && (quote.Kind != PlanChangeKind.Upgrade || KeyOf(service, quote) != pending.IdempotencyKey)) return (PlanChangeUnderWay(), null, null);
        return (null, service, quote);
    }

    private static PlanChangeOutcome.Refused PlanChangeUnderWay() => new(new PlanRefusal("Plan change under way",
        "Another change of this service is being charged; its result is on its way (GET /api/notifications). Try again in a minute."));

    /// <summary>
    /// The Stripe idempotency key of an upgrade's charge, and its intent's. Numbered per change of the service: the same
    /// request again before its result is recorded (a crash) gets the same key, hence the same charge; a refused attempt
    /// is recorded, so the next one (maybe with a new card) gets a new key.
    /// </summary>
    private static string KeyOf(ChangeableService service, PlanQuote quote) =>
        $"plan-change-{service.ServiceId}-{service.ChangesSoFar + 1}-{quote.To.ProductId}-{quote.To.ExtraIps}";

    private async Task<PlanChangePreview> PreviewOfAsync(UnitOfWork work, ChangeableService service, PlanQuote quote)
    {
        var now = await issuer.PrepareAsync(work, service.CustomerId, quote.NetMinor, quote.To.DisplayName);
        var monthly = await issuer.PrepareAsync(work, service.CustomerId, quote.To.MonthlyPriceMinor, quote.To.DisplayName);
        var summary = quote.Kind switch
        {
            PlanChangeKind.Upgrade => $"{quote.To.DisplayName} from today: {Money(now.GrossMinor)} {service.Currency} now for the days left of what is paid "
                + $"(through {quote.Periods[^1].End.AddDays(-1):yyyy-MM-dd}), then {Money(monthly.GrossMinor)} {service.Currency} a month.",
            PlanChangeKind.Downgrade => $"{quote.To.DisplayName} from {quote.EffectiveOn:yyyy-MM-dd}, the first period not charged yet: nothing now, "
                + $"then {Money(monthly.GrossMinor)} {service.Currency} a month"
                + (quote.From.DedicatedIps > quote.To.DedicatedIps ? $"; {quote.From.DedicatedIps - quote.To.DedicatedIps} dedicated IPs are released that day." : "."),
            _ => $"The move to {quote.From.DisplayName} is taken back: the service stays on {quote.To.DisplayName}.",
        };
        var (amountNet, amountVat) = quote.NetMinor > 0 ? (now.NetMinor, now.VatMinor) : (0L, 0L);
        return new PlanChangePreview(service.ServiceId, quote.Kind, service.ProductId, PlanChangeRules.Current(service).DisplayName, quote.To.ProductId,
            quote.To.DisplayName, quote.To.ExtraIps, quote.EffectiveOn, amountNet / 100m, amountVat / 100m, (amountNet + amountVat) / 100m, service.Currency, now.VatRate,
            now.VatTreatment, quote.To.MonthlyPriceMinor / 100m, monthly.GrossMinor / 100m, quote.To.DedicatedIps,
            [.. quote.Periods.Select(p => new ProratedPeriodDto(p.Start, p.End.AddDays(-1), p.Days, p.DaysLeft, p.NetMinor / 100m))], summary);
    }

    /// <returns>The outcome when nothing is charged to the card now; else the key of the charge recorded, to be made once committed.</returns>
    private async Task<(PlanChangeOutcome?, string?)> UpgradeAsync(UnitOfWork work, ChangeableService service, PlanQuote quote, PlanChangePreview preview)
    {
        var changeId = Guid.CreateVersion7();
        var now = time.GetUtcNow();
        var today = calendar.LocalDate(now);
        if (quote.NetMinor <= 0)
        {
            return (await AppliedAsync(work, service, quote, preview, changeId, now, today, null, null, $"Your service now runs on {quote.To.DisplayName}.", log), null);
        }
        var content = await issuer.PrepareAsync(work, service.CustomerId, quote.NetMinor, quote.To.DisplayName);
        content = content with { LineDescription = LineOf(quote) };
        var key = KeyOf(service, quote);
        // A charge already recorded for this very change (its worker died) is completed as recorded, whatever the customer pays by now.
        var resuming = await ChargeIntents.FindPendingForServiceAsync(work, service.ServiceId, now) is not null;
        if (!resuming && await BankTransferRepository.AppliesAsync(work, service.CustomerId))
        {
            // Rule 8: a customer paying by transfer is never charged to the card. Like a renewal, which is invoiced 14
            // days before its period and runs meanwhile, the upgrade applies now and its invoice is due in 14 days.
            var invoiceId = Guid.CreateVersion7();
            var invoiceNumber = await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(invoiceId, service.ServiceId, service.CustomerId,
                quote.Periods[0].Index, today, quote.Periods[^1].End, content.GrossMinor, service.Currency, now, content, InvoiceKind.Proration));
            await BankTransferRepository.MarkInvoiceByTransferAsync(work, invoiceId);
            return (await AppliedAsync(work, service, quote, preview, changeId, now, today, invoiceId, invoiceNumber,
                $"Your service now runs on {quote.To.DisplayName}: invoice {invoiceNumber} of {Money(content.GrossMinor)} {service.Currency} for the days left of the paid period is to be paid by bank transfer by {today.AddDays(BillingCalendar.ChargeDaysAhead):yyyy-MM-dd}; the new dedicated IPs are being set up.", log), null);
        }
        // Recorded with the lease on the service's row (renewal claims skip it); a second recording keeps the first payload.
        await ChargeIntents.RecordAsync(work, key, ChargeIntentKind.PlanChange, service.ServiceId, quote.Periods[0].Index, service.ChangesSoFar + 1,
            new PlanChangeIntent(changeId, service.ChangesSoFar + 1, service, quote, preview, content, now, today), now);
        return (null, key);
    }

    internal static PlanChangeOutcome.Declined Declined(string reason, PlanQuote quote, PlanChangePreview preview) => new(
        $"{reason} The plan is unchanged: the service stays on {quote.From.DisplayName}. Replace the card (POST /api/payment-methods) and try again.", preview);

    internal static async Task<PlanChangeOutcome> AppliedAsync(UnitOfWork work, ChangeableService service, PlanQuote quote, PlanChangePreview preview,
        Guid changeId, DateTimeOffset now, DateOnly today, Guid? invoiceId, long? invoiceNumber, string notice, ILogger log, DateTimeOffset? requestedAt = null)
    {
        await PlanChangeRepository.SetProductAsync(work, service.ServiceId, quote.To);
        await PlanChangeRepository.DecideScheduledAsync(work, service.ServiceId, PlanChangeStatus.Withdrawn, now);
        await PlanChangeRepository.AddAsync(work, Row(changeId, service, quote, PlanChangeStatus.Applied, now, invoiceId, null, requestedAt));
        await PublishChangedAsync(work, service, changeId, quote.From, quote.To, today, now);
        await NotificationRepository.NotifyAsync(work, service.CustomerId, service.ServiceId, "plan-changed", notice, now);
        LogApplied(log, service.ServiceId, quote.From.ProductId, quote.To.ProductId, invoiceNumber);
        return new PlanChangeOutcome.Done(new PlanChangeResult(changeId, PlanChangeStatus.Applied, preview, invoiceId, invoiceNumber));
    }

    private async Task<PlanChangeOutcome> ScheduleAsync(UnitOfWork work, ChangeableService service, PlanQuote quote, PlanChangePreview preview)
    {
        var now = time.GetUtcNow();
        var changeId = Guid.CreateVersion7();
        await PlanChangeRepository.DecideScheduledAsync(work, service.ServiceId, PlanChangeStatus.Withdrawn, now); // a new choice replaces it
        await PlanChangeRepository.ScheduleAsync(work, service.ServiceId, quote.To, quote.FromPeriod!.Value);
        await PlanChangeRepository.AddAsync(work, Row(changeId, service, quote, PlanChangeStatus.Scheduled, now, null, null));
        await NotificationRepository.NotifyAsync(work, service.CustomerId, service.ServiceId, "plan-change-scheduled", preview.Summary, now);
        return new PlanChangeOutcome.Done(new PlanChangeResult(changeId, PlanChangeStatus.Scheduled, preview, null, null));
    }

    private async Task<PlanChangeOutcome> WithdrawAsync(UnitOfWork work, ChangeableService service, PlanChangePreview preview)
    {
        var now = time.GetUtcNow();
        var id = await PlanChangeRepository.DecideScheduledAsync(work, service.ServiceId, PlanChangeStatus.Withdrawn, now);
        await PlanChangeRepository.ClearScheduleAsync(work, service.ServiceId);
        return new PlanChangeOutcome.Done(new PlanChangeResult(id ?? Guid.Empty, PlanChangeStatus.Withdrawn, preview, null, null));
    }

    /// <summary>PlanChanged for Ordering's copy and Provisioning's IPs; used by upgrades now and by downgrades when their period starts.</summary>
    public static Task PublishChangedAsync(UnitOfWork work, ChangeableService service, Guid changeId, ServicePlan from, ServicePlan to, DateOnly effectiveOn,
        DateTimeOffset now) =>
        work.PublishAsync(new PlanChanged
        {
            OrderId = service.OrderId, ServiceId = service.ServiceId, PlanChangeId = changeId, PreviousProductId = from.ProductId,
            ProductId = to.ProductId, ProductName = to.DisplayName, PreviousDedicatedIps = from.DedicatedIps, DedicatedIps = to.DedicatedIps,
            MonthlyPriceMinor = to.MonthlyPriceMinor, Currency = service.Currency, EffectiveOn = effectiveOn, ChangedAt = now,
        });

    internal static PlanChangeRow Row(Guid id, ChangeableService service, PlanQuote quote, string status, DateTimeOffset now, Guid? invoiceId, string? failure,
        DateTimeOffset? requestedAt = null) =>
        new(id, service.ServiceId, service.CustomerId, quote.From.ProductId, quote.To.ProductId, quote.From.ExtraIps, quote.To.ExtraIps,
            quote.Kind == PlanChangeKind.Upgrade ? PlanChangeKind.Upgrade : PlanChangeKind.Downgrade, status, requestedAt ?? now, quote.EffectiveOn, quote.NetMinor,
            invoiceId, failure, now);

    /// <summary>The invoice line: which change, and the days of each paid period it covers.</summary>
    internal static string LineOf(PlanQuote quote) =>
        $"{quote.To.DisplayName} (upgrade from {quote.From.DisplayName}), prorated: "
        + string.Join("; ", quote.Periods.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{p.DaysLeft}/{p.Days} days of the period {p.Start:yyyy-MM-dd} to {p.End.AddDays(-1):yyyy-MM-dd} x {Money(quote.To.MonthlyPriceMinor - quote.From.MonthlyPriceMinor)}")));

    internal static string Money(long minor) => (minor / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    [LoggerMessage(LogLevel.Information, "Plan of {ServiceId} changed from {From} to {To} (invoice {InvoiceNumber})")]
    private static partial void LogApplied(ILogger logger, Guid serviceId, string from, string to, long? invoiceNumber);
}
