using Microsoft.AspNetCore.Builder;
using ProMTA.Billing.Stripe;
using StripeEmulator;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>The Stripe emulator on a free port, and Billing's StripePayments talking to it through Stripe.net.</summary>
public sealed class StripeEmulatorFixture : IAsyncLifetime
{
    private WebApplication? emulator;

    public StripePayments Payments { get; private set; } = null!;

    /// <summary>For the emulator's own /_emulator/ledger.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        emulator = await StripeEmulatorApp.StartAsync("http://127.0.0.1:0");
        var baseAddress = emulator.GetBaseAddress();
        Payments = new StripePayments(new global::Stripe.StripeClient("sk_test_billing_tests", apiBase: baseAddress.ToString().TrimEnd('/')));
        Http = new HttpClient { BaseAddress = baseAddress };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (emulator is not null) await emulator.DisposeAsync();
    }
}
