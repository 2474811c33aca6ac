using System.Net;
using System.Text.Json;
using Stripe;

namespace StripeEmulator.Tests;

public sealed class ErrorTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    private readonly StripeScenario _stripe = new(emulator.Client);

    [Fact]
    public async Task Request_without_an_api_key_is_401()
    {
        // Stripe.net refuses to send without a key, so this one uses plain HTTP.
        var response = await emulator.Http.PostAsync("/v1/customers", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_request_error", body.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Live_keys_are_refused()
    {
        var live = new CustomerService(new StripeClient("sk_live_not_for_the_emulator", apiBase: emulator.BaseAddress.ToString().TrimEnd('/')));

        var error = await Assert.ThrowsAsync<StripeException>(() => live.CreateAsync(new CustomerCreateOptions()));

        Assert.Equal(HttpStatusCode.Unauthorized, error.HttpStatusCode);
    }

    [Fact]
    public async Task Unknown_objects_are_404_resource_missing()
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => _stripe.PaymentIntents.GetAsync("pi_does_not_exist"));

        Assert.Equal(HttpStatusCode.NotFound, error.HttpStatusCode);
        Assert.Equal("invalid_request_error", error.StripeError.Type);
        Assert.Equal("resource_missing", error.StripeError.Code);
    }

    [Fact]
    public async Task Unknown_customer_parameter_is_400_resource_missing()
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => _stripe.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 100,
            Currency = "usd",
            Customer = "cus_does_not_exist",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal("resource_missing", error.StripeError.Code);
        Assert.Equal("customer", error.StripeError.Param);
    }

    [Fact]
    public async Task Missing_amount_is_parameter_missing()
    {
        var error = await Assert.ThrowsAsync<StripeException>(() =>
            _stripe.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Currency = "usd" }));

        Assert.Equal("parameter_missing", error.StripeError.Code);
        Assert.Equal("amount", error.StripeError.Param);
    }

    [Fact]
    public async Task A_card_attached_to_one_customer_cannot_pay_for_another()
    {
        var (_, card) = await _stripe.CustomerWithCardAsync("pm_card_visa");
        var (other, _) = await _stripe.CustomerWithCardAsync("pm_card_visa");

        var error = await Assert.ThrowsAsync<StripeException>(() =>
            _stripe.PaymentIntents.CreateAsync(StripeScenario.MonthlyCharge(other, card)));

        Assert.Equal(HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal("payment_method", error.StripeError.Param);
    }

    [Fact]
    public async Task Health_and_ledger_need_no_key()
    {
        Assert.Equal(HttpStatusCode.OK, (await emulator.Http.GetAsync("/health")).StatusCode);
        Assert.NotNull(await emulator.LedgerAsync());
    }
}
