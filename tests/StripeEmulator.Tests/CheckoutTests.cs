using System.Net;
using Stripe;
using Stripe.Checkout;

namespace StripeEmulator.Tests;

/// <summary>Checkout in setup mode: Stripe.net's SessionService against the emulator, and its hosted card page.</summary>
public sealed class CheckoutTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private readonly StripeScenario _stripe = new(emulator.Client);
    private readonly SessionService _sessions = new(emulator.Client);

    private static SessionCreateOptions Setup(string? customerId = null) => new()
    {
        Mode = "setup",
        Currency = "eur",
        Customer = customerId,
        ClientReferenceId = "tenant-42",
        SuccessUrl = "http://portal.test/checkout/done?session_id={CHECKOUT_SESSION_ID}",
        CancelUrl = "http://portal.test/order",
        Metadata = new Dictionary<string, string> { ["purpose"] = "order" },
    };

    [Fact]
    public async Task A_setup_session_has_Stripes_shape_and_a_hosted_page()
    {
        var session = await _sessions.CreateAsync(Setup());

        Assert.StartsWith("cs_test_", session.Id);
        Assert.Equal("checkout.session", session.Object);
        Assert.Equal("setup", session.Mode);
        Assert.Equal("open", session.Status);
        Assert.Equal("no_payment_required", session.PaymentStatus);
        Assert.Equal("tenant-42", session.ClientReferenceId);
        Assert.Equal("order", session.Metadata["purpose"]);
        Assert.Null(session.SetupIntentId);
        Assert.True(session.ExpiresAt > session.Created.AddHours(23));
        Assert.StartsWith(emulator.BaseAddress.ToString().TrimEnd('/') + "/c/pay/", session.Url);

        var page = await emulator.Http.GetStringAsync(new Uri(session.Url).PathAndQuery);
        Assert.Contains("<label for=\"cardNumber\">Card number</label>", page);

        var fetched = await _sessions.GetAsync(session.Id);
        Assert.Equal(session.Url, fetched.Url);
    }

    [Fact]
    public async Task Paying_with_4242_saves_a_card_for_the_customer_and_redirects_with_the_session_id()
    {
        var (customer, _) = await _stripe.CustomerWithCardAsync("pm_card_visa");
        var session = await _sessions.CreateAsync(Setup(customer.Id));

        using var response = await SubmitAsync(session, "4242 4242 4242 4242");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"http://portal.test/checkout/done?session_id={session.Id}", response.Headers.Location!.ToString());
        var completed = await _sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["setup_intent"] });
        Assert.Equal("complete", completed.Status);
        Assert.Null(completed.Url);
        Assert.Equal("succeeded", completed.SetupIntent.Status);
        Assert.Equal("off_session", completed.SetupIntent.Usage);
        var card = await _stripe.PaymentMethods.GetAsync(completed.SetupIntent.PaymentMethodId);
        Assert.Equal("4242", card.Card.Last4);
        Assert.Equal(customer.Id, card.CustomerId);
        Assert.Equal("Ada Lovelace", card.BillingDetails.Name);

        // The saved card pays off-session like Stripe's test Visa.
        var intent = await _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card));
        Assert.Equal("succeeded", intent.Status);

        var delivery = await emulator.Webhooks.WaitForAsync(w => w.Body.Contains("\"checkout.session.completed\"") && w.Body.Contains(session.Id));
        var stripeEvent = EventUtility.ConstructEvent(delivery.Body, delivery.Signature, EmulatorFixture.WebhookSecret);
        Assert.Equal(session.Id, Assert.IsType<Session>(stripeEvent.Data.Object).Id);
    }

    [Fact]
    public async Task The_declining_test_number_saves_a_card_whose_charge_is_declined()
    {
        var completed = await SaveCardAsync("4000000000000002");
        var customer = await _stripe.Customers.CreateAsync(new CustomerCreateOptions { Email = "decline@example.test" });
        var card = await _stripe.PaymentMethods.AttachAsync(completed.SetupIntent.PaymentMethodId, new PaymentMethodAttachOptions { Customer = customer.Id });
        Assert.Equal("0002", card.Card.Last4);
        var error = await Assert.ThrowsAsync<StripeException>(() => _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card)));
        Assert.Equal("card_declined", error.StripeError.Code);
    }

    [Fact]
    public async Task The_authentication_test_number_saves_a_card_that_asks_for_3D_Secure()
    {
        var (customer, _) = await _stripe.CustomerWithCardAsync("pm_card_visa");
        var completed = await SaveCardAsync("4000 0025 0000 3155", customer.Id);
        var card = await _stripe.PaymentMethods.GetAsync(completed.SetupIntent.PaymentMethodId);
        var error = await Assert.ThrowsAsync<StripeException>(() => _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(customer, card)));
        Assert.Equal("authentication_required", error.StripeError.Code);
    }

    [Theory]
    [InlineData("4111111111111111", "12 / 40", "123", "non test card")]
    [InlineData("4242424242424242", "01 / 20", "123", "expiration year is in the past")]
    [InlineData("4242424242424242", "13 / 40", "123", "expiration date is incomplete")]
    [InlineData("4242424242424242", "12 / 40", "1", "security code is incomplete")]
    public async Task A_refused_card_form_shows_Stripes_message_keeps_the_session_open_and_never_echoes_the_number(
        string number, string expiry, string cvc, string message)
    {
        var session = await _sessions.CreateAsync(Setup());

        using var response = await SubmitAsync(session, number, expiry, cvc);

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains(message, page);
        Assert.Contains("role=\"alert\"", page);
        Assert.DoesNotContain(number, page);
        Assert.Equal("open", (await _sessions.GetAsync(session.Id)).Status);
    }

    [Fact]
    public async Task An_expired_session_has_no_url_and_its_page_is_gone()
    {
        var session = await _sessions.CreateAsync(Setup());

        var expired = await _sessions.ExpireAsync(session.Id);

        Assert.Equal("expired", expired.Status);
        Assert.Null(expired.Url);
        using var response = await SubmitAsync(session, "4242424242424242");
        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        var error = await Assert.ThrowsAsync<StripeException>(() => _sessions.ExpireAsync(session.Id));
        Assert.Contains("status of \"expired\"", error.StripeError.Message);
    }

    [Fact]
    public async Task Invalid_requests_are_refused_like_Stripe_does()
    {
        var missing = await Assert.ThrowsAsync<StripeException>(() => _sessions.CreateAsync(new SessionCreateOptions { Mode = "setup", Currency = "eur" }));
        Assert.Equal("parameter_missing", missing.StripeError.Code);
        Assert.Equal("success_url", missing.StripeError.Param);

        var badUrl = await Assert.ThrowsAsync<StripeException>(() => _sessions.CreateAsync(new SessionCreateOptions { Mode = "setup", SuccessUrl = "not a url" }));
        Assert.Equal("url_invalid", badUrl.StripeError.Code);

        var unknownCustomer = await Assert.ThrowsAsync<StripeException>(() => _sessions.CreateAsync(Setup("cus_missing")));
        Assert.Equal("resource_missing", unknownCustomer.StripeError.Code);

        var payment = await Assert.ThrowsAsync<StripeException>(() => _sessions.CreateAsync(new SessionCreateOptions { Mode = "payment", SuccessUrl = "http://portal.test/" }));
        Assert.Contains("mode=setup only", payment.StripeError.Message);

        var notFound = await Assert.ThrowsAsync<StripeException>(() => _sessions.GetAsync("cs_test_missing"));
        Assert.Equal(HttpStatusCode.NotFound, notFound.HttpStatusCode);
    }

    /// <summary>A setup session completed on the hosted page with this number, read back with its SetupIntent.</summary>
    private async Task<Session> SaveCardAsync(string number, string? customerId = null)
    {
        var session = await _sessions.CreateAsync(Setup(customerId));
        using var response = await SubmitAsync(session, number);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return await _sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["setup_intent"] });
    }

    private async Task<HttpResponseMessage> SubmitAsync(Session session, string number, string expiry = "12 / 34", string cvc = "123")
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = emulator.BaseAddress };
        return await browser.PostAsync($"/c/pay/{session.Id}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["cardNumber"] = number, ["expiry"] = expiry, ["cvc"] = cvc, ["cardholder"] = "Ada Lovelace",
        }));
    }
}
