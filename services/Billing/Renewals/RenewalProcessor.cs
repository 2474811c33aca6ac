using Microsoft.Extensions.Options;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Stripe;
using ProMTA.Contracts.Billing;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Renewals;

/// <summary>What a renewal charge was decided with: the invoice it pays (numbered or not yet), and an earlier attempt's pay link to withdraw.</summary>
public sealed record RenewalIntent(OpenInvoice Invoice, NewInvoice? Unnumbered, string? AwaitingPaymentIntentId);

/// <summary>A charge recorded and committed, to be made with Stripe and then recorded with its result.</summary>
internal sealed record PendingCharge(string Key, DueService Service, int Period, int Attempt, RenewalIntent Intent);

/// <summary>
/// Renews every due service (rules 9-12): each period is invoiced and charged off-session 14 days before it starts;
/// a refused charge is retried on the dunning days, the service is suspended when its period starts unpaid and
/// terminated 14 days later; a cancelled service is never charged past its last day and ends after it.
/// No Stripe call runs inside a transaction (CONVENTIONS): a claim transaction holds the service's row lock, decides
/// the charge and records it as an intent (charge_intents, under a lease that keeps other replicas' claims away) and
/// commits; Stripe is called with a key named after service, period and attempt; a second transaction, with the
/// service locked again, writes the result: the invoice numbered (so the gapless counter is held for milliseconds,
/// not across Stripe calls), paid or refused, the outbox events, the dunning state, and the intent completed. A
/// crash between the steps leaves the intent pending; after its lease the run takes the service again and repeats
/// the same call with the same key and amount, so Stripe answers the first payment: one charge, one invoice.
/// Days missed while down are caught up.
/// </summary>
public sealed partial class RenewalProcessor(
    Database db, StripePayments stripe, InvoiceSettlement settlement, Invoices.InvoiceIssuer issuer, Consolidation.ConsolidatedInvoices consolidated,
    IOptions<BillingOptions> options, TimeProvider time, ILogger<RenewalProcessor> log)
{
    public async Task<int> RunAsync(DateOnly today, CancellationToken ct)
    {
        var processed = 0;
        // Customers on a common billing day first: one claim transaction per customer, all their due services at once.
        while (!ct.IsCancellationRequested)
        {
            var charges = new List<PendingCharge>();
            await using (var work = await db.BeginAsync(ct))
            {
                if (await ConsolidationRepository.ClaimCustomerAsync(work, today, time.GetUtcNow()) is not { } customerId) break;
                processed += await RenewCustomerAsync(work, customerId, today, charges);
                await work.CommitAsync(ct);
            }
            foreach (var charge in charges) await ChargeAsync(charge, today, ct);
        }
        while (!ct.IsCancellationRequested)
        {
            PendingCharge? charge;
            await using (var work = await db.BeginAsync(ct))
            {
                var service = await RenewalRepository.ClaimAsync(work, today, time.GetUtcNow());
                if (service is null) break;
                charge = await RenewAsync(work, service, today, mayCharge: true);
                await work.CommitAsync(ct);
            }
            if (charge is not null) await ChargeAsync(charge, today, ct);
            processed++;
        }
        return processed;
    }

    /// <summary>
    /// The periods of a customer's services on the common billing day (issue 17, section 5). While rule 8 lets the
    /// customer pay by transfer they come as one consolidated invoice, and each service then follows rule 12 on its
    /// own row with the same dates (so they are suspended, resumed or terminated together). Without bank transfer any
    /// more (approval revoked, or one service left) each service is invoiced and charged to the card as usual, on the
    /// same common day: their charges are recorded into <paramref name="charges"/>, made after this transaction commits.
    /// </summary>
    private async Task<int> RenewCustomerAsync(UnitOfWork work, Guid customerId, DateOnly today, List<PendingCharge> charges)
    {
        var due = await ConsolidationRepository.DueForUpdateAsync(work, customerId, today, time.GetUtcNow());
        if (!await BankTransferRepository.AppliesAsync(work, customerId))
        {
            foreach (var service in due)
            {
                // A period already on an open consolidated invoice stays there (it is never invoiced twice): the
                // transfer is still awaited even if the approval was revoked meanwhile.
                var onInvoice = await ConsolidationRepository.FindOpenLineAsync(work, service.ServiceId, service.NextPeriod) is not null;
                if (await RenewAsync(work, service, today, mayCharge: !onInvoice) is { } charge) charges.Add(charge);
            }
            return due.Count;
        }
        var renewing = new List<DueService>();
        foreach (var service in due)
        {
            if (service.LastDay is { } lastDay && service.Calendar.PeriodStart(service.NextPeriod) > lastDay) await EndOrWaitAsync(work, service, lastDay, today);
            // A period already invoiced on its own (before bank transfer applied) keeps that invoice: never invoiced twice.
            else if (await RenewalRepository.FindOpenInvoiceAsync(work, service.ServiceId, service.NextPeriod) is not null)
            {
                if (await RenewAsync(work, service, today, mayCharge: true) is { } charge) charges.Add(charge);
            }
            else renewing.Add(service);
        }
        var (lines, issued) = await consolidated.EnsureAsync(work, customerId, renewing);
        foreach (var invoice in issued)
        {
            var members = renewing.Where(s => lines[s.ServiceId].InvoiceId == invoice.InvoiceId).ToList();
            var start = members[0].Calendar.PeriodStart(members[0].NextPeriod);
            await NotificationRepository.NotifyAsync(work, customerId, members[0].ServiceId, "bank-transfer-invoice",
                $"Invoice {invoice.InvoiceNumber} for your {members.Count} services, period from {start:yyyy-MM-dd}: please pay {Invoices.DocumentPdf.Money(invoice.AmountMinor, members[0].Currency)} by bank transfer before {start:yyyy-MM-dd}.",
                time.GetUtcNow());
            LogConsolidated(customerId, invoice.InvoiceNumber, members.Count);
        }
        // Paid only when staff mark the transfer received (BankTransferApi), which settles every line.
        foreach (var service in renewing) await RenewAsync(work, service, today, mayCharge: false);
        return due.Count;
    }

    /// <returns>The charge to make once this transaction has committed, if the period is charged to the card now.</returns>
    private async Task<PendingCharge?> RenewAsync(UnitOfWork work, DueService service, DateOnly today, bool mayCharge)
    {
        var period = service.NextPeriod;
        if (service.LastDay is { } lastDay && BillingCalendar.PeriodStart(service.Calendar, period) > lastDay)
        {
            await EndOrWaitAsync(work, service, lastDay, today);
            return null;
        }

        var attempts = service.DunningAttempts;
        if (service.BillingStatus == "Active" || service.RetryRequested || Dunning.NextRetry(service.Calendar, period, attempts) <= today)
        {
            if (mayCharge && await BeginChargeAsync(work, service, period, attempts) is { } charge) return charge; // the rest follows its result
            attempts++;
        }
        await UnpaidAsync(work, service, today, attempts);
        return null;
    }

    /// <summary>A period left unpaid after <paramref name="attempts"/> attempts: rule 12's suspension and termination, and the next check.</summary>
    private async Task UnpaidAsync(UnitOfWork work, DueService service, DateOnly today, int attempts)
    {
        var period = service.NextPeriod;
        var suspended = service.BillingStatus == "Suspended";
        if (today >= Dunning.TerminateOn(service.Calendar, period))
        {
            await TerminateAsync(work, service);
            return;
        }
        if (!suspended && today >= Dunning.SuspendOn(service.Calendar, period))
        {
            suspended = true;
            await work.PublishAsync(new ServiceSuspended { OrderId = service.OrderId, ServiceId = service.ServiceId, SuspendedAt = time.GetUtcNow() });
            await NotifyAsync(work, service, "suspended",
                $"Your service is suspended: the period from {Dunning.SuspendOn(service.Calendar, period):yyyy-MM-dd} is unpaid. Pay the open invoice to resume; unpaid on {Dunning.TerminateOn(service.Calendar, period):yyyy-MM-dd} it is terminated.");
        }
        await RenewalRepository.SaveAsync(work, service.ServiceId, new RenewalState(suspended ? "Suspended" : "PastDue", period, attempts,
            Dunning.NextCheck(service.Calendar, period, attempts, suspended, today)));
    }

    /// <summary>
    /// Decides the period's invoice (VAT and buyer as the billing profile stands today) and records the charge as an
    /// intent; null when the period is not charged to the card (rule 8: bank transfer), which is settled here.
    /// </summary>
    private async Task<PendingCharge?> BeginChargeAsync(UnitOfWork work, DueService service, int period, int attempt)
    {
        var start = BillingCalendar.PeriodStart(service.Calendar, period);
        var invoice = await RenewalRepository.FindOpenInvoiceAsync(work, service.ServiceId, period);
        NewInvoice? unnumbered = null;
        if (invoice is null)
        {
            var id = Guid.CreateVersion7();
            // The period's product: a downgrade scheduled for it is charged at its new price (issue 17).
            var plan = service.PlanOf(period);
            // The period that moves the service onto its customer's common billing day is shorter: priced pro rata.
            var net = service.Calendar.PeriodPrice(period, plan.MonthlyPriceMinor);
            var content = await issuer.PrepareAsync(work, service.CustomerId, net, plan.DisplayName,
                Consolidation.CommonBillingDay.Line(service.Calendar, period, plan.DisplayName, plan.MonthlyPriceMinor));
            unnumbered = new NewInvoice(id, service.ServiceId, service.CustomerId, period, start,
                BillingCalendar.PeriodEnd(service.Calendar, period), content.GrossMinor, service.Currency, time.GetUtcNow(), content);
            invoice = new OpenInvoice(id, 0, content.GrossMinor);
        }
        if (await BankTransferRepository.AppliesAsync(work, service.CustomerId))
        {
            invoice = await IssueAsync(work, invoice, unnumbered);
            // Rule 8: approved and still more than one service: no card charge; staff mark it paid on receipt.
            await BankTransferRepository.MarkInvoiceByTransferAsync(work, invoice.InvoiceId);
            if (attempt == 0)
            {
                await NotifyAsync(work, service, "bank-transfer-invoice",
                    $"Invoice {invoice.InvoiceNumber} for the period from {start:yyyy-MM-dd}: please pay by bank transfer before {start:yyyy-MM-dd}.");
            }
            return null;
        }
        var key = $"renewal-{service.ServiceId}-period-{period}-attempt-{attempt}";
        var waiting = await RenewalRepository.FindAwaitingAuthenticationAsync(work, invoice.InvoiceId);
        // A retry after a crash gets the first intent back: the same invoice id and amount, hence the same Stripe request.
        var recorded = await ChargeIntents.RecordAsync(work, key, ChargeIntentKind.Renewal, service.ServiceId, period, attempt,
            new RenewalIntent(invoice, unnumbered, waiting), time.GetUtcNow());
        // A completed attempt moves the period or the attempt on, hence the key: seeing it again is a bug, not a retry.
        if (recorded.Completed) throw new InvalidOperationException($"Charge {key} was completed already, yet its renewal is due again");
        return new PendingCharge(key, service, period, attempt, recorded.Read<RenewalIntent>());
    }

    /// <summary>Makes a recorded charge with Stripe, outside any transaction, then records its result.</summary>
    private async Task ChargeAsync(PendingCharge pending, DateOnly today, CancellationToken ct)
    {
        var (key, service, period, _, intent) = pending;
        var start = BillingCalendar.PeriodStart(service.Calendar, period);
        ChargeResult result;
        if (intent.AwaitingPaymentIntentId is { } waiting && !await stripe.CancelUnlessPaidAsync(waiting, $"{key}-withdraw-link", ct))
        {
            result = ChargeResult.Paid(waiting); // paid through the link; its webhook finds it paid
        }
        else
        {
            result = service.StripePaymentMethodId is null
                ? new ChargeResult(false, null, "No card on file.", "no_payment_method", null)
                : await stripe.ChargeAsync(service.StripeCustomerId, service.StripePaymentMethodId, intent.Invoice.AmountMinor, service.Currency,
                    key, offSession: true,
                    new Dictionary<string, string> { ["service_id"] = service.ServiceId.ToString(), ["period"] = period.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    $"ProMTA {service.PlanOf(period).ProductId}, period from {start:yyyy-MM-dd}", ct);
            if (result is { Code: "authentication_required", PayUrl: null, PaymentIntentId: { } intentId })
            {
                // Rule 12 / SCA: the bank wants the customer present; the notice carries the link to authenticate.
                result = result with { PayUrl = await stripe.AuthenticationLinkAsync(intentId, service.StripePaymentMethodId!,
                    $"{options.Value.PortalUrl.TrimEnd('/')}/invoices/{intent.Invoice.InvoiceId}", $"{key}-authenticate", ct) };
            }
        }

        await using var work = await db.BeginAsync(ct);
        var current = await ConsolidationRepository.ServiceForUpdateAsync(work, service.ServiceId);
        if (!await ChargeIntents.LockPendingAsync(work, key)) return; // another worker recorded it after our lease ran out
        if (current is null || current.NextPeriod != period || current.DunningAttempts != pending.Attempt)
        {
            // Settled meanwhile (paid through the link, its webhook first): the same payment, nothing more to record.
            LogMovedOn(service.ServiceId, period);
        }
        else await RecordResultAsync(work, current, period, intent, result, today);
        await ChargeIntents.CompleteAsync(work, key, time.GetUtcNow());
        await work.CommitAsync(ct);
    }

    private async Task RecordResultAsync(UnitOfWork work, DueService service, int period, RenewalIntent intent, ChargeResult result, DateOnly today)
    {
        var start = BillingCalendar.PeriodStart(service.Calendar, period);
        // Numbered only now, in the result's short transaction: the counter row is locked from the number to this
        // commit, never across a Stripe call (4 workers were no faster than 1 while it was), and a crash before the
        // commit uses no number.
        var invoice = await IssueAsync(work, intent.Invoice, intent.Unnumbered);
        if (result.Succeeded)
        {
            await settlement.SettleAsync(work, service, invoice, period, result.PaymentIntentId!);
            LogRenewed(service.ServiceId, period);
            return;
        }
        await BillingRepository.MarkFailedAsync(work, invoice.InvoiceId, result.PaymentIntentId, result.FailureReason!, result.PayUrl);
        await work.PublishAsync(new PaymentFailed
        {
            OrderId = service.OrderId, ServiceId = service.ServiceId, PeriodIndex = period, Reason = result.FailureReason!,
            Code = result.Code, DeclineCode = result.DeclineCode, FailedAt = time.GetUtcNow(), PayUrl = result.PayUrl,
        });
        await NotifyAsync(work, service, "payment-failed",
            result.PayUrl is null
                ? $"We could not charge your card for the period from {start:yyyy-MM-dd}: {result.FailureReason} Pay the open invoice or replace your card before {start:yyyy-MM-dd}."
                : $"Your bank asks you to authenticate the payment of invoice {invoice.InvoiceNumber} for the period from {start:yyyy-MM-dd}: complete it at {result.PayUrl} before {start:yyyy-MM-dd}.");
        LogRenewalFailed(service.ServiceId, period, result.Code);
        await UnpaidAsync(work, service, today, service.DunningAttempts + 1);
    }

    private static async Task<OpenInvoice> IssueAsync(UnitOfWork work, OpenInvoice invoice, NewInvoice? unnumbered) =>
        unnumbered is null ? invoice : invoice with { InvoiceNumber = await BillingRepository.IssueInvoiceAsync(work, unnumbered) };

    private async Task EndOrWaitAsync(UnitOfWork work, DueService service, DateOnly lastDay, DateOnly today)
    {
        if (today <= lastDay)
        {
            await RenewalRepository.SaveAsync(work, service.ServiceId, new RenewalState(service.BillingStatus, service.NextPeriod, 0, lastDay.AddDays(1)));
            return;
        }
        await RenewalRepository.SaveAsync(work, service.ServiceId, new RenewalState("Ended", service.NextPeriod, 0, null));
        await work.PublishAsync(new ServiceEnded { OrderId = service.OrderId, ServiceId = service.ServiceId, EndedAt = time.GetUtcNow() });
    }

    private async Task TerminateAsync(UnitOfWork work, DueService service)
    {
        await RenewalRepository.MarkUncollectibleAsync(work, service.ServiceId);
        await RenewalRepository.SaveAsync(work, service.ServiceId, new RenewalState("Terminated", service.NextPeriod, service.DunningAttempts, null));
        await work.PublishAsync(new ServiceTerminated { OrderId = service.OrderId, ServiceId = service.ServiceId, TerminatedAt = time.GetUtcNow() });
        await NotifyAsync(work, service, "terminated", "Your service was terminated: its invoice stayed unpaid 14 days after the period started.");
    }

    private Task NotifyAsync(UnitOfWork work, DueService service, string kind, string message) =>
        NotificationRepository.NotifyAsync(work, service.CustomerId, service.ServiceId, kind, message, time.GetUtcNow());

    [LoggerMessage(LogLevel.Information, "Consolidated invoice {InvoiceNumber} issued to {CustomerId} for {Services} services")]
    private partial void LogConsolidated(Guid customerId, long invoiceNumber, int services);

    [LoggerMessage(LogLevel.Information, "Renewed {ServiceId} for period {Period}")]
    private partial void LogRenewed(Guid serviceId, int period);

    [LoggerMessage(LogLevel.Information, "Renewal charge of {ServiceId} for period {Period} found the period settled meanwhile")]
    private partial void LogMovedOn(Guid serviceId, int period);

    [LoggerMessage(LogLevel.Warning, "Renewal of {ServiceId} for period {Period} refused: {Code}")]
    private partial void LogRenewalFailed(Guid serviceId, int period, string? code);
}
