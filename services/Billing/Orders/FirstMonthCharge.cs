using Microsoft.Extensions.Options;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Invoices;
using ProMTA.Billing.Stripe;
using ProMTA.Contracts.Billing;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Orders;

/// <summary>What a first month's charge was decided with: the order, the service as it will be billed, the invoice to issue.</summary>
public sealed record FirstMonthIntent(OrderPlaced Order, BilledService Service, NewInvoice Invoice);

/// <summary>
/// The first month of an order (rule 9): Stripe customer, card attached, VAT decided from the billing profile, the
/// gross charged, then the invoice and PaymentSucceeded or PaymentFailed.
/// A refused first payment issues no invoice (issue 17): nothing was sold, nothing is owed, and an invoice, once
/// numbered, could only be undone by a credit note. The order fails and nothing renews. A payment the bank wants
/// authenticated (3-D Secure) is different: the invoice is issued open with the pay link, and paying it through
/// Stripe settles it (payment_intent.succeeded) and the order goes on.
/// No Stripe call runs inside a transaction (CONVENTIONS): <see cref="RecordAsync"/> records the intent in the caller's
/// transaction (the consumer's, with its inbox row); <see cref="CompleteAsync"/> then calls Stripe with keys named after
/// the order and writes the result in a transaction of its own. Profiles of the order pipeline found the old single
/// transaction holding billing_accounts and the invoice counter across the Stripe calls (lock waits of 0.2-0.7 s).
/// </summary>
public sealed partial class FirstMonthCharge(
    Database db, StripePayments stripe, InvoiceIssuer issuer, BillingCalendar calendar, IOptions<BillingOptions> options, TimeProvider time,
    ILogger<FirstMonthCharge> log)
{
    /// <summary>The Stripe idempotency key of an order's first charge, and its intent's key.</summary>
    public static string KeyOf(Guid orderId) => $"order-{orderId}-period-0";

    /// <summary>Records the intent, commits, then charges and records the result (what the consumer does in two steps).</summary>
    public async Task ChargeAsync(OrderPlaced order, CancellationToken ct)
    {
        await using (var work = await db.BeginAsync(ct))
        {
            await RecordAsync(work, order);
            await work.CommitAsync(ct);
        }
        await CompleteAsync(order.OrderId, ct);
    }

    /// <summary>Decides the service's calendar and the invoice's content (VAT, buyer) as they stand now, and records them.</summary>
    public async Task RecordAsync(UnitOfWork work, OrderPlaced order)
    {
        var orderedOn = calendar.LocalDate(order.OrderedAt);
        var productName = order.ProductName ?? order.ProductId;
        // A customer with a common billing day (issue 17, section 5): the first period runs to it, priced pro rata.
        var commonDay = await ConsolidationRepository.FindDayAsync(work, order.CustomerId);
        var periods = commonDay is { } day ? Consolidation.CommonBillingDay.Joining(orderedOn, day) : (ServiceCalendar)orderedOn;
        var service = new BilledService(order.ServiceId, order.OrderId, order.CustomerId, order.ProductId, order.MonthlyPriceMinor,
            order.Currency, order.DedicatedIps, orderedOn, commonDay ?? orderedOn.Day, null, time.GetUtcNow(), ProductName: productName,
            AnchorOn: periods.AnchorOn, AnchorPeriod: periods.AnchorPeriod, TransitionStart: periods.TransitionStart,
            RequiresReview: order.HasSpecialRequirements);
        // Without a billing profile the buyer is the order's holder (the account takes the order's name and e-mail).
        var content = await issuer.PrepareAsync(work, order.CustomerId, periods.PeriodPrice(0, order.MonthlyPriceMinor), productName,
            Consolidation.CommonBillingDay.Line(periods, 0, productName, order.MonthlyPriceMinor), (order.CustomerName, order.CustomerEmail));
        var invoice = new NewInvoice(Guid.CreateVersion7(), order.ServiceId, order.CustomerId, 0, orderedOn,
            periods.PeriodEnd(0), content.GrossMinor, order.Currency, time.GetUtcNow(), content);
        // Recorded once per order: a second recording (the order charged again) keeps the first, and CompleteAsync finds it done.
        await ChargeIntents.RecordAsync(work, KeyOf(order.OrderId), ChargeIntentKind.FirstMonth, order.ServiceId, 0, 0,
            new FirstMonthIntent(order, service, invoice), time.GetUtcNow());
    }

    /// <summary>
    /// Charges a recorded first month and records the result; nothing when it is recorded already. Safe to repeat (a
    /// redelivered order, the recovery job): every Stripe call is keyed by the order, so Stripe answers the first payment.
    /// </summary>
    public async Task CompleteAsync(Guid orderId, CancellationToken ct)
    {
        var key = KeyOf(orderId);
        if (await ChargeIntents.FindAsync(db, key, ct) is not { Completed: false } intent) return;
        var (order, service, invoice) = intent.Read<FirstMonthIntent>();

        string? stripeCustomerId;
        await using (var connection = await db.OpenAsync(ct))
        {
            stripeCustomerId = await BillingRepository.FindStripeCustomerAsync(connection, order.CustomerId);
        }
        stripeCustomerId ??= await stripe.CreateCustomerAsync(order.CustomerId, order.CustomerEmail, order.CustomerName, ct);
        ChargeResult result;
        try
        {
            var paymentMethodId = await stripe.AttachPaymentMethodAsync(stripeCustomerId, order.PaymentMethodId, order.OrderId.ToString(), ct);
            service = service with { StripePaymentMethodId = paymentMethodId };
            result = await stripe.ChargeAsync(stripeCustomerId, paymentMethodId, invoice.AmountMinor, order.Currency, key, offSession: false,
                new Dictionary<string, string> { ["order_id"] = order.OrderId.ToString(), ["service_id"] = order.ServiceId.ToString(), ["period"] = "0" },
                $"ProMTA {order.ProductId}, first month from {service.OrderedOn:yyyy-MM-dd}", ct,
                returnUrl: $"{options.Value.PortalUrl.TrimEnd('/')}/orders/{order.OrderId}");
        }
        catch (global::Stripe.StripeException ex) when (ex.StripeError?.Type is "card_error" or "invalid_request_error")
        {
            // A PaymentMethod that cannot be attached (unknown, already used by another customer) is the customer's to fix.
            result = new ChargeResult(false, null, ex.StripeError.Message ?? "The card could not be used.", ex.StripeError.Code, ex.StripeError.DeclineCode);
        }

        await using var work = await db.BeginAsync(ct);
        if (!await ChargeIntents.LockPendingAsync(work, key)) return; // a concurrent redelivery recorded it first
        await RecordResultAsync(work, key, order, service, invoice, stripeCustomerId, result);
        await work.CommitAsync(ct);
    }

    /// <summary>
    /// The invoice is numbered last, just before the commit: the gapless counter's row is locked from the numbering to
    /// the commit, and every other order's result waits on it (1-2 s mean waits under load when it came in the middle).
    /// </summary>
    private async Task RecordResultAsync(UnitOfWork work, string key, OrderPlaced order, BilledService service, NewInvoice invoice, string stripeCustomerId, ChargeResult result)
    {
        await BillingRepository.AddAccountAsync(work, order.CustomerId, stripeCustomerId, time.GetUtcNow());
        await NotificationRepository.SetEmailAsync(work, order.CustomerId, order.CustomerEmail);
        await BillingProfileRepository.SetHolderNameAsync(work, order.CustomerId, order.CustomerName);
        // Paid: renewals start with period 1, charged 14 days before it begins. Refused: nothing renews.
        var periods = new ServiceCalendar(service.OrderedOn, service.AnchorOn, service.AnchorPeriod, service.TransitionStart);
        service = result.Succeeded
            ? service with { BillingStatus = "Active", NextDueOn = periods.ChargeDate(1) }
            : service with { BillingStatus = "Unpaid", NextDueOn = null };
        await BillingRepository.AddServiceAsync(work, service);
        var now = time.GetUtcNow();
        await ChargeIntents.CompleteAsync(work, key, now);
        if (result.Succeeded)
        {
            // Numbered with the result, in this short transaction: a crash before its commit uses no number.
            var number = await BillingRepository.IssueInvoiceAsync(work, invoice, new InvoicePayment(result.PaymentIntentId!, now));
            await work.PublishAsync(new PaymentSucceeded
            {
                OrderId = order.OrderId,
                ServiceId = order.ServiceId,
                InvoiceId = invoice.Id,
                InvoiceNumber = number,
                AmountMinor = invoice.AmountMinor,
                Currency = invoice.Currency,
                PeriodIndex = 0,
                PeriodStart = invoice.PeriodStart,
                PeriodEnd = invoice.PeriodEnd,
                BillingDay = service.BillingDay,
                ProductId = order.ProductId,
                DedicatedIps = order.DedicatedIps,
                PaidAt = now,
                RequiresReview = order.HasSpecialRequirements,
            });
            LogPaid(order.OrderId, number);
            return;
        }
        await work.PublishAsync(new PaymentFailed
        {
            OrderId = order.OrderId,
            ServiceId = order.ServiceId,
            PeriodIndex = 0,
            Reason = result.FailureReason!,
            Code = result.Code,
            DeclineCode = result.DeclineCode,
            FailedAt = now,
            PayUrl = result.PayUrl,
        });
        if (result.PayUrl is not null)
        {
            await BillingRepository.IssueInvoiceAsync(work, invoice); // payable through the link
            await BillingRepository.MarkFailedAsync(work, invoice.Id, result.PaymentIntentId, result.FailureReason!, result.PayUrl);
        }
        LogFailed(order.OrderId, result.Code);
    }

    [LoggerMessage(LogLevel.Information, "First month of {OrderId} paid, invoice {InvoiceNumber}")]
    private partial void LogPaid(Guid orderId, long invoiceNumber);

    [LoggerMessage(LogLevel.Information, "First charge of {OrderId} refused: {Code}; no invoice unless the bank asked for authentication")]
    private partial void LogFailed(Guid orderId, string? code);
}
