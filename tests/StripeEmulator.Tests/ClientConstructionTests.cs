using Stripe;

namespace StripeEmulator.Tests;

/// <summary>The ways Billing may build its Stripe.net client against the emulator.</summary>
public sealed class ClientConstructionTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Api_base_with_a_trailing_slash_works()
    {
        var client = new StripeClient(EmulatorFixture.ApiKey, apiBase: emulator.BaseAddress.ToString());

        var customer = await new CustomerService(client).CreateAsync(new CustomerCreateOptions { Email = "slash@example.test" });

        Assert.StartsWith("cus_", customer.Id);
    }

    [Fact]
    public async Task Client_options_construction_works()
    {
        var client = new StripeClient(new StripeClientOptions
        {
            ApiKey = EmulatorFixture.ApiKey,
            ApiBase = emulator.BaseAddress.ToString().TrimEnd('/'),
        });

        var customer = await new CustomerService(client).CreateAsync(new CustomerCreateOptions { Email = "options@example.test" });

        Assert.Equal("options@example.test", (await new CustomerService(client).GetAsync(customer.Id)).Email);
    }
}
