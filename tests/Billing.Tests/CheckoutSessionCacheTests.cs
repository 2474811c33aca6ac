using System.Net;
using Microsoft.Extensions.Caching.Memory;
using ProMTA.Billing.Checkout;
using StripeEmulator;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>
/// Issue 14, section 3: reading a checkout session (the portal polls it after Stripe's page) does not ask Stripe on
/// every request, and the cached answer is still only given to the customer who owns the session.
/// </summary>
public sealed class CheckoutSessionCacheTests : IAsyncLifetime
{
    private Microsoft.AspNetCore.Builder.WebApplication emulator = null!;
    private readonly CountingHandler stripeCalls = new() { InnerHandler = new HttpClientHandler() };
    private CheckoutSessions sessions = null!;

    public async Task InitializeAsync()
    {
        emulator = await StripeEmulatorApp.StartAsync("http://127.0.0.1:0");
        var stripe = new global::Stripe.StripeClient("sk_test_checkout_cache",
            httpClient: new global::Stripe.SystemNetHttpClient(new HttpClient(stripeCalls)), apiBase: emulator.GetBaseAddress().ToString().TrimEnd('/'));
        sessions = new CheckoutSessions(stripe, new MemoryCache(new MemoryCacheOptions()));
    }

    public async Task DisposeAsync() => await emulator.DisposeAsync();

    [Fact]
    public async Task A_completed_session_is_read_from_Stripe_once_and_never_shown_to_another_customer()
    {
        var owner = Guid.NewGuid();
        var started = await sessions.StartAsync(owner, null, "http://portal.test/done", "http://portal.test/order", null, default);
        await PayAsync(started.Id);

        var first = await sessions.FindAsync(owner, started.Id, default);
        var callsAfterFirstRead = stripeCalls.Count;
        var again = await sessions.FindAsync(owner, started.Id, default);
        var stranger = await sessions.FindAsync(Guid.NewGuid(), started.Id, default);

        Assert.Equal("complete", first?.Status);
        Assert.StartsWith("pm_", first?.PaymentMethodId);
        Assert.Equal(first, again);
        Assert.Null(stranger);
        Assert.Equal(callsAfterFirstRead, stripeCalls.Count);
    }

    [Fact]
    public async Task Another_customers_session_is_not_found_even_when_it_is_read_first_by_them()
    {
        var started = await sessions.StartAsync(Guid.NewGuid(), null, "http://portal.test/done", "http://portal.test/order", null, default);

        Assert.Null(await sessions.FindAsync(Guid.NewGuid(), started.Id, default));
        Assert.Null(await sessions.FindAsync(Guid.NewGuid(), "cs_test_unknown", default));
    }

    private async Task PayAsync(string sessionId)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = emulator.GetBaseAddress() };
        using var response = await browser.PostAsync($"/c/pay/{sessionId}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["cardNumber"] = "4242424242424242", ["expiry"] = "12 / 34", ["cvc"] = "123", ["cardholder"] = "Ada Lovelace",
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        private int count;

        public int Count => Volatile.Read(ref count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref count);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
