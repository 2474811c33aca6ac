using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Stripe;
using StripeEmulator;

namespace StripeEmulator.Tests;

/// <summary>
/// Starts the emulator for real on 127.0.0.1 (a free port chosen by the OS) with webhooks
/// pointed at a <see cref="WebhookListener"/>, and a Stripe.net client aimed at it.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public const string ApiKey = "sk_test_emulator_tests";
    public const string WebhookSecret = "whsec_emulator_tests_secret";

    private WebApplication? _emulator;

    public EmulatorFixture()
        : this(new WebhookListener())
    {
    }

    // Not public: xunit requires a class fixture to have a single public constructor.
    internal EmulatorFixture(WebhookListener webhooks) => Webhooks = webhooks;

    public WebhookListener Webhooks { get; }

    public Uri BaseAddress { get; private set; } = null!;

    public StripeClient Client { get; private set; } = null!;

    /// <summary>For the emulator-only endpoints (ledger, 3D Secure page) that Stripe.net does not know.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Webhooks.StartAsync();
        _emulator = await StripeEmulatorApp.StartAsync("http://127.0.0.1:0", new Dictionary<string, string?>
        {
            ["Webhooks:Url"] = Webhooks.Url.ToString(),
            ["Webhooks:Secret"] = WebhookSecret,
            ["Webhooks:RetryDelay"] = "00:00:00.200",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        BaseAddress = _emulator.GetBaseAddress();

        // The construction Billing uses: the real client with only its API base redirected.
        Client = new StripeClient(ApiKey, apiBase: BaseAddress.ToString().TrimEnd('/'));
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public async Task<IReadOnlyList<JsonElement>> LedgerAsync()
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync("/_emulator/ledger"));
        return document.RootElement.GetProperty("data").EnumerateArray().Select(entry => entry.Clone()).ToArray();
    }

    public async Task<IReadOnlyList<JsonElement>> LedgerForAsync(string paymentIntentId) =>
        (await LedgerAsync()).Where(entry => entry.GetProperty("payment_intent").GetString() == paymentIntentId).ToArray();

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        await Webhooks.DisposeAsync();
    }
}
