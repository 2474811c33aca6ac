using MassTransit;
using Microsoft.Extensions.Options;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Stripe;
using ProMTA.Contracts.Billing;
using ProMTA.Contracts.Ordering;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Consumers;

/// <summary>
/// Charges the first month at once (rule 9): Stripe customer, card attached, invoice issued, PaymentIntent
/// confirmed, then PaymentSucceeded or PaymentFailed, all in the transaction opened with the inbox row. The Stripe
/// calls happen inside it, keyed by the order, so a crash anywhere replays to the same charge, never a second one.
/// </summary>
public sealed partial class OrderPlacedConsumer(
    Database db, StripePayments stripe, BillingCalendar calendar, IOptions<BillingOptions> options, TimeProvider time, ILogger<OrderPlacedConsumer> log)
    : IConsumer<OrderPlaced>
{
    public async Task Consume(ConsumeContext<OrderPlaced> context)
    {
        var order = context.Message;
        var ct = context.CancellationToken;
        await using var work = await db.BeginConsumeAsync<OrderPlacedConsumer>(context);
        if (work is null) return;

        var stripeCustomerId = await BillingRepository.FindStripeCustomerAsync(work, order.CustomerId)
            ?? await stripe.CreateCustomerAsync(order.CustomerId, order.CustomerEmail, order.CustomerName, ct);
        await BillingRepository.AddAccountAsync(work, order.CustomerId, stripeCustomerId, time.GetUtcNow());
        await NotificationRepository.SetEmailAsync(work, order.CustomerId, order.CustomerEmail);

        var orderedOn = calendar.LocalDate(order.OrderedAt);
        var service = new BilledService(order.ServiceId, order.OrderId, order.CustomerId, order.ProductId, order.MonthlyPriceMinor,
            order.Currency, order.DedicatedIps, orderedOn, orderedOn.Day, null, time.GetUtcNow());
        var invoice = new NewInvoice(Guid.CreateVersion7(), order.ServiceId, order.CustomerId, 0, orderedOn,
            BillingCalendar.PeriodEnd(orderedOn, 0), order.MonthlyPriceMinor, order.Currency, time.GetUtcNow());

        ChargeResult result;
        try
        {
            var paymentMethodId = await stripe.AttachPaymentMethodAsync(stripeCustomerId, order.PaymentMethodId, order.OrderId.ToString(), ct);
            service = service with { StripePaymentMethodId = paymentMethodId };
            result = await stripe.ChargeAsync(stripeCustomerId, paymentMethodId, order.MonthlyPriceMinor, order.Currency,
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
            ? service with { BillingStatus = "Active", NextDueOn = BillingCalendar.ChargeDate(orderedOn, 1) }
            : service with { BillingStatus = "Unpaid", NextDueOn = null };
        service = service with { RequiresReview = order.HasSpecialRequirements };
        await BillingRepository.AddServiceAsync(work, service);
        var number = await BillingRepository.IssueInvoiceAsync(work, invoice);
        var now = time.GetUtcNow();
        if (result.Succeeded)
        {
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
        }
        else
        {
            await BillingRepository.MarkFailedAsync(work, invoice.Id, result.PaymentIntentId, result.FailureReason!, result.PayUrl);
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
        await work.CommitAsync(ct);
    }

    [LoggerMessage(LogLevel.Information, "First month of {OrderId} paid, invoice {InvoiceNumber}")]
    private partial void LogPaid(Guid orderId, long invoiceNumber);

    [LoggerMessage(LogLevel.Information, "First charge of {OrderId} refused: {Code}")]
    private partial void LogFailed(Guid orderId, string? code);
}
