using System.Globalization;
using ProMTA.Billing.Catalogue;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Invoices;
using ProMTA.Billing.Stripe;
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

/// <summary>
/// Previews and makes plan changes (issue 17). An upgrade is charged off-session to the card on file with an
/// idempotency key per change (service, change number, product), invoiced as a proration invoice of the normal
/// series and applied at once: PlanChanged tells Provisioning to add the IPs, which are warmed up like a new
/// service's. The Stripe call still runs inside the transaction holding the service's row lock (renewals no longer
/// do: they record a charge intent first): the renewal scheduler (SKIP LOCKED) and a second request wait, so a period
/// can never be renewed at the old price while its upgrade is being charged, and a change is refused while a renewal's
/// intent is pending; a crash before commit replays to the same key, hence the same charge.
/// A refused charge is recorded (Declined) and nothing else changes. A downgrade is only scheduled: the renewal of
/// its period charges the new price and DowngradeSwitch applies it when that period starts.
/// </summary>
public sealed partial class PlanChanger(
    StripePayments stripe, InvoiceIssuer issuer, BillingCalendar calendar, Microsoft.Extensions.Options.IOptions<BillingOptions> options, TimeProvider time,
    ILogger<PlanChanger> log)
{
    /// <param name="productId">Null: the service's current product (an add-on change only).</param>
    /// <param name="extraIps">Null: as many extra dedicated IPs as the service has now.</param>
    public async Task<PlanChangeOutcome> PreviewAsync(UnitOfWork work, Guid customerId, Guid serviceId, string? productId, int? extraIps = null)
    {
        var (outcome, service, quote) = await DecideAsync(work, customerId, serviceId, productId, extraIps);
        if (outcome is not null) return outcome;
        return new PlanChangeOutcome.Previewed(await PreviewOfAsync(work, service!, quote!));
    }

    public async Task<PlanChangeOutcome> ApplyAsync(UnitOfWork work, Guid customerId, Guid serviceId, string? productId, CancellationToken ct, int? extraIps = null)
    {
        var (outcome, service, quote) = await DecideAsync(work, customerId, serviceId, productId, extraIps);
        if (outcome is not null) return outcome;
        var preview = await PreviewOfAsync(work, service!, quote!);
        return quote!.Kind switch
        {
            PlanChangeKind.Upgrade => await UpgradeAsync(work, service!, quote, preview, ct),
            PlanChangeKind.Downgrade => await ScheduleAsync(work, service!, quote, preview),
            _ => await WithdrawAsync(work, service!, preview),
        };
    }

    private async Task<(PlanChangeOutcome?, ChangeableService?, PlanQuote?)> DecideAsync(UnitOfWork work, Guid customerId, Guid serviceId, string? productId,
        int? extraIps)
    {
        var service = await PlanChangeRepository.FindForUpdateAsync(work, customerId, serviceId);
        if (service is null) return (new PlanChangeOutcome.NotFound(), null, null);
        // A renewal charge between its intent and its result: the service's row is not locked through the Stripe call
        // any more, so the change waits for the result (else the period would be charged at the old price, unprorated).
        if (await ChargeIntents.PendingForServiceAsync(work, serviceId))
        {
            return (new PlanChangeOutcome.Refused(new PlanRefusal("Renewal under way",
                "The renewal of the next period is being charged; try again in a few minutes.")), null, null);
        }
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
        return (null, service, PlanChangeRules.Quote(service, product, extras, today));
    }

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

    private async Task<PlanChangeOutcome> UpgradeAsync(UnitOfWork work, ChangeableService service, PlanQuote quote, PlanChangePreview preview, CancellationToken ct)
    {
        var changeId = Guid.CreateVersion7();
        var now = time.GetUtcNow();
        var today = calendar.LocalDate(now);
        Guid? invoiceId = null;
        long? invoiceNumber = null;
        if (quote.NetMinor > 0)
        {
            var lastPaid = quote.Periods[^1];
            var content = await issuer.PrepareAsync(work, service.CustomerId, quote.NetMinor, quote.To.DisplayName);
            content = content with { LineDescription = LineOf(quote) };
            // Numbered per change of the service: a crash before commit replays the same key with the same parameters
            // (one charge); a refused attempt is recorded, so the next one (maybe with a new card) gets a new key.
            var number = service.ChangesSoFar + 1;
            if (await BankTransferRepository.AppliesAsync(work, service.CustomerId))
            {
                // Rule 8: a customer paying by transfer is never charged to the card. Like a renewal, which is invoiced 14
                // days before its period and runs meanwhile, the upgrade applies now and its invoice is due in 14 days.
                invoiceId = Guid.CreateVersion7();
                invoiceNumber = await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(invoiceId.Value, service.ServiceId, service.CustomerId,
                    quote.Periods[0].Index, today, lastPaid.End, content.GrossMinor, service.Currency, now, content, InvoiceKind.Proration));
                await BankTransferRepository.MarkInvoiceByTransferAsync(work, invoiceId.Value);
                return await AppliedAsync(work, service, quote, preview, changeId, now, today, invoiceId, invoiceNumber,
                    $"Your service now runs on {quote.To.DisplayName}: invoice {invoiceNumber} of {Money(content.GrossMinor)} {service.Currency} for the days left of the paid period is to be paid by bank transfer by {today.AddDays(BillingCalendar.ChargeDaysAhead):yyyy-MM-dd}; the new dedicated IPs are being set up.");
            }
            var key = $"plan-change-{service.ServiceId}-{number}-{quote.To.ProductId}-{quote.To.ExtraIps}";
            var result = service.StripePaymentMethodId is null
                ? new ChargeResult(false, null, "No card on file.", "no_payment_method", null)
                : await stripe.ChargeAsync(service.StripeCustomerId, service.StripePaymentMethodId, content.GrossMinor, service.Currency, key,
                    offSession: true,
                    new Dictionary<string, string> { ["service_id"] = service.ServiceId.ToString(), ["plan_change"] = number.ToString(CultureInfo.InvariantCulture) },
                    $"ProMTA {quote.To.ProductId}, upgrade from {quote.From.ProductId} for {today:yyyy-MM-dd} to {lastPaid.End.AddDays(-1):yyyy-MM-dd}", ct);
            if (result is { Succeeded: false, Code: "authentication_required", PaymentIntentId: { } intentId })
            {
                // 3-D Secure, as for a first payment: the customer authenticates through the link and the plan changes once
                // Stripe reports the payment (OnPaymentIntentAsync). Nothing is invoiced until then.
                var payUrl = result.PayUrl ?? await stripe.AuthenticationLinkAsync(intentId, service.StripePaymentMethodId!,
                    $"{options.Value.PortalUrl.TrimEnd('/')}/services/{service.ServiceId}", $"{key}-authenticate", ct);
                await PlanChangeRepository.AddAsync(work, Row(changeId, service, quote, PlanChangeStatus.AwaitingPayment, now, null, null));
                await PlanChangeRepository.AwaitPaymentAsync(work, changeId, intentId, payUrl);
                await NotificationRepository.NotifyAsync(work, service.CustomerId, service.ServiceId, "plan-change-payment",
                    $"Your bank asks you to authenticate the payment of {Money(content.GrossMinor)} {service.Currency} for the move to {quote.To.DisplayName}: complete it at {payUrl}. The plan changes once it is paid.",
                    now);
                return new PlanChangeOutcome.Done(new PlanChangeResult(changeId, PlanChangeStatus.AwaitingPayment, preview, null, null) { PayUrl = payUrl });
            }
            if (!result.Succeeded)
            {
                var reason = result.Code == "authentication_required"
                    ? "Your bank asks you to authenticate this payment, which cannot be done for a plan change."
                    : result.FailureReason ?? "The payment failed.";
                await PlanChangeRepository.AddAsync(work, Row(changeId, service, quote, PlanChangeStatus.Declined, now, null, reason));
                LogDeclined(service.ServiceId, quote.To.ProductId, result.Code);
                return new PlanChangeOutcome.Declined(
                    $"{reason} The plan is unchanged: the service stays on {quote.From.DisplayName}. Replace the card (POST /api/payment-methods) and try again.",
                    preview);
            }
            invoiceId = Guid.CreateVersion7();
            invoiceNumber = await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(invoiceId.Value, service.ServiceId, service.CustomerId,
                quote.Periods[0].Index, today, lastPaid.End, content.GrossMinor, service.Currency, now, content, InvoiceKind.Proration),
                new InvoicePayment(result.PaymentIntentId, now));
        }
        return await AppliedAsync(work, service, quote, preview, changeId, now, today, invoiceId, invoiceNumber, invoiceNumber is null
            ? $"Your service now runs on {quote.To.DisplayName}."
            : $"Your service now runs on {quote.To.DisplayName}: invoice {invoiceNumber} charged {Money((long)(preview.AmountNow * 100))} {service.Currency} for the days left of the paid period; the new dedicated IPs are being set up.");
    }

    private async Task<PlanChangeOutcome> AppliedAsync(UnitOfWork work, ChangeableService service, PlanQuote quote, PlanChangePreview preview, Guid changeId,
        DateTimeOffset now, DateOnly today, Guid? invoiceId, long? invoiceNumber, string notice)
    {
        await PlanChangeRepository.SetProductAsync(work, service.ServiceId, quote.To);
        await PlanChangeRepository.DecideScheduledAsync(work, service.ServiceId, PlanChangeStatus.Withdrawn, now);
        await PlanChangeRepository.AddAsync(work, Row(changeId, service, quote, PlanChangeStatus.Applied, now, invoiceId, null));
        await PublishChangedAsync(work, service, changeId, quote.From, quote.To, today, now);
        await NotificationRepository.NotifyAsync(work, service.CustomerId, service.ServiceId, "plan-changed", notice, now);
        LogApplied(service.ServiceId, quote.From.ProductId, quote.To.ProductId, invoiceNumber);
        return new PlanChangeOutcome.Done(new PlanChangeResult(changeId, PlanChangeStatus.Applied, preview, invoiceId, invoiceNumber));
    }

    /// <summary>
    /// Stripe reports on the PaymentIntent of an upgrade that waited for 3-D Secure. Paid: the upgrade applies as if it
    /// had been charged at once, provided nothing changed meanwhile (the same proration for the day it was asked, the
    /// same amount); if something did (a renewal charged, a cancellation, a new price), nothing is sold and the payment
    /// is refunded in full. Refused or abandoned: the change is declined and the plan stays.
    /// </summary>
    /// <returns>False when the PaymentIntent is no upgrade's (the caller looks for an invoice instead).</returns>
    public async Task<bool> OnPaymentIntentAsync(UnitOfWork work, string paymentIntentId, CancellationToken ct)
    {
        if (await PlanChangeRepository.FindAwaitingByPaymentIntentAsync(work, paymentIntentId) is not { } change) return false;
        var intent = await stripe.GetPaymentIntentAsync(paymentIntentId, ct);
        var now = time.GetUtcNow();
        if (intent.Status == "succeeded")
        {
            await CompleteAsync(work, change, intent, now, ct);
        }
        else if (intent.Status == "canceled" || intent.Status == "requires_payment_method" && intent.LastPaymentError is not null)
        {
            var reason = intent.LastPaymentError?.Message ?? "The payment was not completed.";
            await PlanChangeRepository.DecideAsync(work, change.Id, PlanChangeStatus.Declined, null, reason, now);
            await NotificationRepository.NotifyAsync(work, change.CustomerId, change.ServiceId, "plan-change-declined",
                $"{reason} The plan is unchanged; ask for the change again to get a new payment link.", now);
        }
        return true;
    }

    private async Task CompleteAsync(UnitOfWork work, AwaitingChange change, global::Stripe.PaymentIntent intent, DateTimeOffset now, CancellationToken ct)
    {
        var service = await PlanChangeRepository.FindForUpdateAsync(work, change.CustomerId, change.ServiceId);
        var product = await BilledProducts.FindAsync(work, change.ToProductId);
        var quote = service is null || product is null || PlanChangeRules.Refusal(service, product, change.ToExtraIps, change.EffectiveOn) is not null
            ? null
            : PlanChangeRules.Quote(service, product, change.ToExtraIps, change.EffectiveOn);
        var content = quote is { Kind: PlanChangeKind.Upgrade } ? await issuer.PrepareAsync(work, change.CustomerId, quote.NetMinor, quote.To.DisplayName) : null;
        if (quote is null || content is null || quote.NetMinor != change.NetMinor || content.GrossMinor != intent.Amount)
        {
            await stripe.RefundAsync(intent.Id, $"plan-change-{change.Id}-refund", now, ct);
            await PlanChangeRepository.DecideAsync(work, change.Id, PlanChangeStatus.Declined, null, "The service changed before the payment arrived; refunded.", now);
            await NotificationRepository.NotifyAsync(work, change.CustomerId, change.ServiceId, "plan-change-declined",
                $"Your payment of {Money(intent.Amount)} {intent.Currency.ToUpperInvariant()} arrived after the service changed (renewed, cancelled or repriced): it is refunded in full and the plan is unchanged. Ask for the change again.",
                now);
            return;
        }
        var invoiceId = Guid.CreateVersion7();
        var invoiceNumber = await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(invoiceId, service!.ServiceId, service.CustomerId,
            quote.Periods[0].Index, change.EffectiveOn, quote.Periods[^1].End, content.GrossMinor, service.Currency, now,
            content with { LineDescription = LineOf(quote) }, InvoiceKind.Proration), new InvoicePayment(intent.Id, now));
        await PlanChangeRepository.SetProductAsync(work, service.ServiceId, quote.To);
        await PlanChangeRepository.DecideScheduledAsync(work, service.ServiceId, PlanChangeStatus.Withdrawn, now);
        await PlanChangeRepository.DecideAsync(work, change.Id, PlanChangeStatus.Applied, invoiceId, null, now);
        await PublishChangedAsync(work, service, change.Id, quote.From, quote.To, calendar.LocalDate(now), now);
        await NotificationRepository.NotifyAsync(work, service.CustomerId, service.ServiceId, "plan-changed",
            $"Your service now runs on {quote.To.DisplayName}: invoice {invoiceNumber} paid {Money(content.GrossMinor)} {service.Currency} for the days left of the paid period; the new dedicated IPs are being set up.",
            now);
        LogApplied(service.ServiceId, quote.From.ProductId, quote.To.ProductId, invoiceNumber);
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

    private static PlanChangeRow Row(Guid id, ChangeableService service, PlanQuote quote, string status, DateTimeOffset now, Guid? invoiceId, string? failure) =>
        new(id, service.ServiceId, service.CustomerId, quote.From.ProductId, quote.To.ProductId, quote.From.ExtraIps, quote.To.ExtraIps,
            quote.Kind == PlanChangeKind.Upgrade ? PlanChangeKind.Upgrade : PlanChangeKind.Downgrade, status, now, quote.EffectiveOn, quote.NetMinor,
            invoiceId, failure, now);

    /// <summary>The invoice line: which change, and the days of each paid period it covers.</summary>
    private static string LineOf(PlanQuote quote) =>
        $"{quote.To.DisplayName} (upgrade from {quote.From.DisplayName}), prorated: "
        + string.Join("; ", quote.Periods.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{p.DaysLeft}/{p.Days} days of the period {p.Start:yyyy-MM-dd} to {p.End.AddDays(-1):yyyy-MM-dd} x {Money(quote.To.MonthlyPriceMinor - quote.From.MonthlyPriceMinor)}")));

    private static string Money(long minor) => (minor / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    [LoggerMessage(LogLevel.Information, "Plan of {ServiceId} changed from {From} to {To} (invoice {InvoiceNumber})")]
    private partial void LogApplied(Guid serviceId, string from, string to, long? invoiceNumber);

    [LoggerMessage(LogLevel.Information, "Upgrade of {ServiceId} to {To} declined: {Code}; plan unchanged")]
    private partial void LogDeclined(Guid serviceId, string to, string? code);
}
