using StripeEmulator.Customers;
using StripeEmulator.Errors;
using StripeEmulator.Http;
using StripeEmulator.Store;

namespace StripeEmulator.PaymentMethods;

/// <summary>
/// Turns a payment_method parameter into a stored PaymentMethod and enforces Stripe's
/// ownership rules. Shared by customers, attach/detach and PaymentIntents.
/// </summary>
public sealed class PaymentMethodResolver(EmulatorStore store, TimeProvider clock)
{
    /// <summary>
    /// A test token becomes a new concrete pm_… (as on Stripe, each use yields a new id);
    /// a concrete id must exist. <paramref name="param"/> null means the id came from the URL (404).
    /// </summary>
    public PaymentMethod Resolve(string id, string? param)
    {
        if (TestCards.TryGet(id, out var card))
        {
            return store.PaymentMethods.Save(new PaymentMethod
            {
                Id = StripeIds.New("pm"),
                Created = clock.GetUtcNow().ToUnixTimeSeconds(),
                Card = card,
                Metadata = Metadata.Empty,
            });
        }

        return store.PaymentMethods.Get(id, param);
    }

    public PaymentMethod Attach(string id, Customer customer, string? param) => store.Atomically(() =>
    {
        var paymentMethod = Resolve(id, param);
        if (paymentMethod.CustomerId == customer.Id)
        {
            return paymentMethod;
        }

        if (paymentMethod.CustomerId is not null)
        {
            throw StripeErrors.InvalidRequest("The payment method you provided has already been attached to a customer.", param);
        }

        if (paymentMethod.Spent)
        {
            throw SpentError(paymentMethod.Id, param);
        }

        return store.PaymentMethods.Save(paymentMethod with { CustomerId = customer.Id });
    });

    /// <summary>Checks that the PaymentMethod may pay for a PaymentIntent of this customer.</summary>
    public PaymentMethod ForPayment(string id, string? customerId, string param) => store.Atomically(() =>
    {
        var paymentMethod = Resolve(id, param);
        if (paymentMethod.CustomerId is not null && paymentMethod.CustomerId != customerId)
        {
            throw StripeErrors.InvalidRequest(
                $"The provided PaymentMethod ({paymentMethod.Id}) is attached to another Customer ({paymentMethod.CustomerId}). Use it with that Customer or attach a new PaymentMethod.",
                param);
        }

        if (paymentMethod.CustomerId is null && paymentMethod.Spent)
        {
            throw SpentError(paymentMethod.Id, param);
        }

        return paymentMethod;
    });

    private static StripeErrorException SpentError(string id, string? param) => StripeErrors.InvalidRequest(
        $"The provided PaymentMethod ({id}) was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.",
        param);
}
