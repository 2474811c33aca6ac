using System.Net;
using Stripe;

namespace StripeEmulator.Tests;

public sealed class PaymentTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private readonly StripeScenario _stripe = new(emulator.Client);

    [Fact]
    public async Task Customer_round_trips_with_metadata_and_default_payment_method()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_visa");

        var fetched = await _stripe.Customers.GetAsync(customer.Id);

        Assert.StartsWith("cus_", fetched.Id);
        Assert.Equal("ops@example.test", fetched.Email);
        Assert.Equal("Example Mailer Ltd", fetched.Name);
        Assert.True(fetched.Metadata.ContainsKey("tenant_id"));
        Assert.Equal(card.Id, fetched.InvoiceSettings.DefaultPaymentMethodId);
    }

    [Fact]
    public async Task Attaching_a_test_token_creates_a_concrete_payment_method_for_the_customer()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_visa");

        var fetched = await _stripe.PaymentMethods.GetAsync(card.Id);

        Assert.NotEqual("pm_card_visa", card.Id);
        Assert.StartsWith("pm_", card.Id);
        Assert.Equal(customer.Id, fetched.CustomerId);
        Assert.Equal("card", fetched.Type);
        Assert.Equal("visa", fetched.Card.Brand);
        Assert.Equal("4242", fetched.Card.Last4);
    }

    [Fact]
    public async Task Visa_charge_succeeds_with_a_latest_charge()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_visa");

        var intent = await _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card));

        Assert.Equal("succeeded", intent.Status);
        Assert.Equal(4900, intent.AmountReceived);
        Assert.StartsWith("ch_", intent.LatestChargeId);
        Assert.Equal(customer.Id, intent.CustomerId);
        Assert.Equal(card.Id, intent.PaymentMethodId);

        var fetched = await _stripe.PaymentIntents.GetAsync(intent.Id, new PaymentIntentGetOptions { Expand = ["latest_charge"] });
        Assert.Equal("succeeded", fetched.Status);
        Assert.Equal(intent.LatestChargeId, fetched.LatestCharge.Id);
        Assert.True(fetched.LatestCharge.Paid);
        Assert.Equal("4242", fetched.LatestCharge.PaymentMethodDetails.Card.Last4);

        var ledger = Assert.Single(await emulator.LedgerForAsync(intent.Id));
        Assert.Equal("succeeded", ledger.GetProperty("status").GetString());
        Assert.Equal(customer.Id, ledger.GetProperty("customer").GetString());
        Assert.Equal(4900, ledger.GetProperty("amount").GetInt64());
    }

    [Fact]
    public async Task Declined_card_throws_card_declined_with_the_failed_payment_intent()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_chargeDeclined");

        var error = await Assert.ThrowsAsync<StripeException>(() => _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card)));

        Assert.Equal(HttpStatusCode.PaymentRequired, error.HttpStatusCode);
        Assert.Equal("card_error", error.StripeError.Type);
        Assert.Equal("card_declined", error.StripeError.Code);
        Assert.Equal("generic_decline", error.StripeError.DeclineCode);
        Assert.Equal("Your card was declined.", error.StripeError.Message);
        Assert.Equal("requires_payment_method", error.StripeError.PaymentIntent.Status);
        Assert.Equal("card_declined", error.StripeError.PaymentIntent.LastPaymentError.Code);

        var ledger = Assert.Single(await emulator.LedgerForAsync(error.StripeError.PaymentIntent.Id));
        Assert.Equal("failed", ledger.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Authentication_required_card_fails_off_session()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_authenticationRequired");

        var error = await Assert.ThrowsAsync<StripeException>(() => _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card)));

        Assert.Equal(HttpStatusCode.PaymentRequired, error.HttpStatusCode);
        Assert.Equal("card_error", error.StripeError.Type);
        Assert.Equal("authentication_required", error.StripeError.Code);
        Assert.Equal("requires_payment_method", error.StripeError.PaymentIntent.Status);
    }

    [Fact]
    public async Task Authentication_required_card_asks_for_3d_secure_on_session_and_succeeds_once_completed()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_authenticationRequired");

        var intent = await _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card, offSession: false));

        Assert.Equal("requires_action", intent.Status);
        Assert.Equal("use_stripe_sdk", intent.NextAction.Type);
        Assert.Null(intent.LatestChargeId);

        // The emulator's stand-in for the bank's challenge page completes authentication.
        var challenge = new Uri(intent.NextAction.UseStripeSdk["stripe_js"].ToString()!);
        (await emulator.Http.GetAsync(challenge.PathAndQuery)).EnsureSuccessStatusCode();

        var completed = await _stripe.PaymentIntents.GetAsync(intent.Id);
        Assert.Equal("succeeded", completed.Status);
        Assert.StartsWith("ch_", completed.LatestChargeId);
        var ledger = Assert.Single(await emulator.LedgerForAsync(intent.Id));
        Assert.Equal("succeeded", ledger.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Authentication_with_a_return_url_redirects_and_can_be_confirmed_later()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_authenticationRequired");
        var intent = await _stripe.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 1500,
            Currency = "eur",
            Customer = customer.Id,
            PaymentMethod = card.Id,
        });
        Assert.Equal("requires_confirmation", intent.Status);

        intent = await _stripe.PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { ReturnUrl = "https://billing.example.test/return" });

        Assert.Equal("requires_action", intent.Status);
        Assert.Equal("redirect_to_url", intent.NextAction.Type);
        Assert.Equal("https://billing.example.test/return", intent.NextAction.RedirectToUrl.ReturnUrl);

        var challenge = new Uri(intent.NextAction.RedirectToUrl.Url);
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = emulator.BaseAddress };
        var response = await noRedirects.GetAsync(challenge.PathAndQuery + "?outcome=fail");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("redirect_status=failed", response.Headers.Location!.ToString());

        var failed = await _stripe.PaymentIntents.GetAsync(intent.Id);
        Assert.Equal("requires_payment_method", failed.Status);
        Assert.Equal("payment_intent_authentication_failure", failed.LastPaymentError.Code);
    }

    [Fact]
    public async Task Refunds_are_full_or_partial_and_never_exceed_the_charge()
    {
        var (customer, card) = await _stripe.CustomerWithCardAsync("pm_card_visa");
        var intent = await _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card, amount: 3000));

        var partial = await _stripe.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Amount = 1000 });
        var rest = await _stripe.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id });
        var error = await Assert.ThrowsAsync<StripeException>(() =>
            _stripe.Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id, Amount = 1 }));

        Assert.StartsWith("re_", partial.Id);
        Assert.Equal("succeeded", partial.Status);
        Assert.Equal(1000, partial.Amount);
        Assert.Equal(2000, rest.Amount);
        Assert.Equal(intent.LatestChargeId, rest.ChargeId);
        Assert.Equal(HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal("charge_already_refunded", error.StripeError.Code);
        var ledger = Assert.Single(await emulator.LedgerForAsync(intent.Id));
        Assert.Equal(3000, ledger.GetProperty("amount_refunded").GetInt64());
    }
}
