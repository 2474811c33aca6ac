using Stripe;

namespace StripeEmulator.Tests;

/// <summary>The Billing calls the tests repeat, made through Stripe.net's real services.</summary>
public sealed class StripeScenario(StripeClient client)
{
    public CustomerService Customers { get; } = new(client);
    public PaymentMethodService PaymentMethods { get; } = new(client);
    public PaymentIntentService PaymentIntents { get; } = new(client);
    public RefundService Refunds { get; } = new(client);

    /// <summary>A customer with the test card attached and set as the default, as Billing stores them.</summary>
    public async Task<(Customer Customer, PaymentMethod Card)> CustomerWithCardAsync(string testToken)
    {
        var customer = await Customers.CreateAsync(new CustomerCreateOptions
        {
            Email = "ops@example.test",
            Name = "Example Mailer Ltd",
            Metadata = new Dictionary<string, string> { ["tenant_id"] = Guid.NewGuid().ToString() },
        });
        var card = await PaymentMethods.AttachAsync(testToken, new PaymentMethodAttachOptions { Customer = customer.Id });
        customer = await Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions
        {
            InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = card.Id },
        });
        return (customer, card);
    }

    public static PaymentIntentCreateOptions MonthlyCharge(Customer customer, PaymentMethod card, long amount = 4900, bool offSession = true) => new()
    {
        Amount = amount,
        Currency = "usd",
        Customer = customer.Id,
        PaymentMethod = card.Id,
        Confirm = true,
        OffSession = offSession,
        Description = "ProMTA monthly plan",
        Metadata = new Dictionary<string, string> { ["invoice_id"] = Guid.NewGuid().ToString() },
    };
}
