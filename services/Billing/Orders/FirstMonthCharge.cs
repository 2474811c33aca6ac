using Microsoft.Extensions.Options;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Invoices;
using ProMTA.Billing.Stripe;
using ProMTA.Contracts.Billing;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Orders;

/// <summary>
/// The first month of an order (rule 9): Stripe customer, card attached, VAT decided from the billing profile, the
/// gross charged, then the invoice and PaymentSucceeded or PaymentFailed, all inside the caller's unit of work.
/// A refused first payment issues no invoice (issue 17): nothing was sold, nothing is owed, and an invoice, once
/// numbered, could only be undone by a credit note. The order fails and nothing renews. A payment the bank wants
/// authenticated (3-D Secure) is different: the invoice is issued open with the pay link, and paying it through
/// Stripe settles it (payment_intent.succeeded) and the order goes on.
/// </summary>
public sealed partial class FirstMonthCharge(
    StripePayments stripe, InvoiceIssuer issuer, BillingCalendar calendar, IOptions<BillingOptions> options, TimeProvider time, ILogger<FirstMonthCharge> log)
{
    public async Task ChargeAsync(UnitOfWork work, OrderPlaced order, CancellationToken ct)
    {
        var stripeCustomerId = await BillingRepository.FindStripeCustomerAsync(work, order.CustomerId)
            ?? await stripe.CreateCustomerAsync(order.CustomerId, order.CustomerEmail, order.CustomerName, ct);
        await BillingRepository.AddAccountAsync(work, order.CustomerId, stripeCustomerId, time.GetUtcNow());
        await NotificationRepository.SetEmailAsync(work, order.CustomerId, order.CustomerEmail);
        await BillingProfileRepository.SetHolderNameAsync(work, order.CustomerId, order.CustomerName);

        var orderedOn = calendar.LocalDate(order.OrderedAt);
        var productName = order.ProductName ?? order.ProductId;
        // A customer with a common billing day (issue 17, section 5): the first period runs to it, priced pro rata.
        var commonDay = await ConsolidationRepository.FindDayAsync(work, order.CustomerId);
        var periods = commonDay is { } day ? Consolidation.CommonBillingDay.Joining(orderedOn, day) : (ServiceCalendar)orderedOn;
        var service = new BilledService(order.ServiceId, order.OrderId, order.CustomerId, order.ProductId, order.MonthlyPriceMinor,
            order.Currency, order.DedicatedIps, orderedOn, commonDay ?? orderedOn.Day, null, time.GetUtcNow(), ProductName: productName,
            AnchorOn: periods.AnchorOn, AnchorPeriod: periods.AnchorPeriod, TransitionStart: periods.TransitionStart);
        var content = await issuer.PrepareAsync(work, order.CustomerId, periods.PeriodPrice(0, order.MonthlyPriceMinor), productName,
            Consolidation.CommonBillingDay.Line(periods, 0, productName, order.MonthlyPriceMinor));
        var invoice = new NewInvoice(Guid.CreateVersion7(), order.ServiceId, order.CustomerId, 0, orderedOn,
            periods.PeriodEnd(0), content.GrossMinor, order.Currency, time.GetUtcNow(), content);

        ChargeResult result;
        try
        {
            var paymentMethodId = await stripe.AttachPaymentMethodAsync(stripeCustomerId, order.PaymentMethodId, order.OrderId.ToString(), ct);
            service = service with { StripePaymentMethodId = paymentMethodId };
            result = await stripe.ChargeAsync(stripeCustomerId, paymentMethodId, invoice.AmountMinor, order.Currency,
                $"order-{order.OrderId}-period-0", offSession: false,
                new Dictionary<string, string> { ["order_id"] = order.OrderId.ToString(), ["service_id"] = order.ServiceId.ToString(), ["period"] = "0" },
                $"ProMTA {order.ProductId}, first month from {orderedOn:yyyy-MM-dd}", ct,
                returnUrl: $"{options.Value.PortalUrl.TrimEnd('/')}/orders/{order.OrderId}");
        }
        catch (global::Stripe.StripeException ex) when (ex.StripeError?.Type is "card_error" or "invalid_request_error")
        {
            // A PaymentMethod that cannot be attached (unknown, already used by another customer) is the customer's to fix.
            result = new ChargeResult(false, null, ex.StripeError.Message ?? "The card could not be used.", ex.StripeError.Code, ex.StripeError.DeclineCode);
        }

        // Paid: renewals start with period 1, charged 14 days before it begins. Refused: nothing renews.
        service = result.Succeeded
            ? service with { BillingStatus = "Active", NextDueOn = periods.ChargeDate(1) }
            : service with { BillingStatus = "Unpaid", NextDueOn = null };
        service = service with { RequiresReview = order.HasSpecialRequirements };
        await BillingRepository.AddServiceAsync(work, service);
        var now = time.GetUtcNow();
        if (result.Succeeded)
        {
            var number = await BillingRepository.IssueInvoiceAsync(work, invoice);
            await BillingRepository.MarkPaidAsync(work, invoice.Id, result.PaymentIntentId!, now);
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
        if (result.PayUrl is not null)
        {
            await BillingRepository.IssueInvoiceAsync(work, invoice); // payable through the link
            await BillingRepository.MarkFailedAsync(work, invoice.Id, result.PaymentIntentId, result.FailureReason!, result.PayUrl);
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
        LogFailed(order.OrderId, result.Code);
    }

    [LoggerMessage(LogLevel.Information, "First month of {OrderId} paid, invoice {InvoiceNumber}")]
    private partial void LogPaid(Guid orderId, long invoiceNumber);

    [LoggerMessage(LogLevel.Information, "First charge of {OrderId} refused: {Code}; no invoice unless the bank asked for authentication")]
    private partial void LogFailed(Guid orderId, string? code);
}
