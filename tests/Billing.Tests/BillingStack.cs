using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProMTA.Billing.Data;
using ProMTA.Billing.Domain;
using ProMTA.Billing.Stripe;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.TestKit;
using StripeEmulator;
using StripeEmulator.Webhooks;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>
/// Billing's HTTP API on a real Kestrel port over a fresh schema of the test PostgreSQL, with the Stripe emulator
/// sending its signed webhooks to Billing's /api/webhooks/stripe, as in a local run. Callers are authenticated the
/// way the gateway does it, with the signed caller header.
/// </summary>
public sealed class BillingStack : IAsyncDisposable
{
    public const string WebhookSecret = "whsec_billing_stack_tests_secret";
    private const string InternalSecret = "billing-stack-tests-internal-secret-0123456789";

    private readonly WebApplication emulator;
    private readonly WebApplication billing;
    private readonly CallerToken tokens = new(InternalSecret);

    private BillingStack(WebApplication emulator, WebApplication billing, Uri billingAddress, Uri emulatorAddress)
    {
        this.emulator = emulator;
        this.billing = billing;
        BillingAddress = billingAddress;
        Emulator = new HttpClient { BaseAddress = emulatorAddress };
        Payments = new StripePayments(new global::Stripe.StripeClient("sk_test_billing_stack", apiBase: emulatorAddress.ToString().TrimEnd('/')));
    }

    public Uri BillingAddress { get; }

    /// <summary>The emulator's own endpoints (ledger, dispute trigger).</summary>
    public HttpClient Emulator { get; }

    public StripePayments Payments { get; }

    /// <summary>How long the emulator takes to answer each Stripe API call (zero unless a test sets it).</summary>
    public StripeEmulator.Latency.ApiLatency StripeLatency => emulator.Services.GetRequiredService<StripeEmulator.Latency.ApiLatency>();

    public Database Database => billing.Services.GetRequiredService<Database>();

    public T Service<T>() where T : notnull => billing.Services.GetRequiredService<T>();

    public static async Task<BillingStack> StartAsync(PostgresFixture postgres, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var port = FreePort.Next();
        var emulator = await StripeEmulatorApp.StartAsync("http://127.0.0.1:0", new Dictionary<string, string?>
        {
            ["Webhooks:Url"] = $"http://127.0.0.1:{port}/api/webhooks/stripe",
            ["Webhooks:Secret"] = WebhookSecret,
            ["Webhooks:RetryDelay"] = "00:00:00.300",
            ["Webhooks:MaxAttempts"] = "8",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        var emulatorAddress = emulator.GetBaseAddress();

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{ServiceDatabaseExtensions.ConnectionName}"] = postgres.ConnectionString,
            [CallerAuthenticationExtensions.SecretKey] = InternalSecret,
            ["Stripe:EmulatorUrl"] = emulatorAddress.ToString(),
            ["Stripe:Webhooks:Secret"] = WebhookSecret,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddServiceDatabase($"t_{Guid.NewGuid():N}"[..20], typeof(Extensions).Assembly);
        builder.AddGatewayCallerAuthentication();
        builder.AddBillingServices();
        // Tests run renewals themselves, on the days they choose: a scheduler's first run on the real date, racing a
        // test's own run, once took the retry a test was about to make.
        builder.Services.Remove(builder.Services.Single(d => d.ImplementationType == typeof(Renewals.RenewalScheduler)));
        builder.Services.AddProblemDetails();
        var billing = builder.Build();
        billing.UseExceptionHandler();
        billing.UseCallerAuthorization();
        billing.MapBillingApis();
        await billing.StartAsync();
        await billing.Services.GetRequiredService<MigrationState>().Completed;
        return new BillingStack(emulator, billing, new Uri($"http://127.0.0.1:{port}"), emulatorAddress);
    }

    /// <summary>A client calling Billing as <paramref name="callerId"/> in <paramref name="role"/>, as the gateway would.</summary>
    public HttpClient ClientFor(Guid callerId, string role = Roles.Customer)
    {
        var client = new HttpClient { BaseAddress = BillingAddress };
        client.DefaultRequestHeaders.Add(CallerToken.HeaderName, tokens.Create(new Caller(callerId, role), DateTimeOffset.UtcNow.AddMinutes(30)));
        return client;
    }

    /// <summary>A customer with one active service whose first month was paid through the emulator with <paramref name="card"/>.</summary>
    public async Task<PaidService> PayFirstMonthAsync(string card, long amountMinor = 14900, Guid? customerId = null)
    {
        var customer = customerId ?? Guid.NewGuid();
        var serviceId = Guid.NewGuid();
        var orderedOn = DateOnly.FromDateTime(DateTime.UtcNow);
        var stripeCustomer = await Payments.CreateCustomerAsync(customer, "billing@example.test", "Billing Tests", CancellationToken.None);
        var attached = await Payments.AttachPaymentMethodAsync(stripeCustomer, card, serviceId.ToString(), CancellationToken.None);
        var charge = await Payments.ChargeAsync(stripeCustomer, attached, amountMinor, "EUR", $"order-{serviceId}-period-0", offSession: true,
            new Dictionary<string, string> { ["service_id"] = serviceId.ToString(), ["period"] = "0" }, "ProMTA first month", CancellationToken.None);
        Assert.True(charge.Succeeded);

        var invoiceId = Guid.CreateVersion7();
        await using var work = await Database.BeginAsync();
        await BillingSeed.AccountWithActiveStarterAsync(work, customer, stripeCustomer, serviceId, orderedOn, attached, DateTimeOffset.UtcNow, amountMinor);
        var number = await BillingRepository.IssueInvoiceAsync(work, new NewInvoice(invoiceId, serviceId, customer, 0, orderedOn,
            BillingCalendar.PeriodEnd(orderedOn, 0), amountMinor, "EUR", DateTimeOffset.UtcNow));
        await BillingRepository.MarkPaidAsync(work, invoiceId, charge.PaymentIntentId, DateTimeOffset.UtcNow);
        await work.CommitAsync();
        return new PaidService(customer, serviceId, invoiceId, number, charge.PaymentIntentId!);
    }

    /// <summary>What OrderPlacedConsumer does with an order of ProMTA Business (149.00 EUR net a month) placed at <paramref name="orderedAt"/>.</summary>
    public async Task<Contracts.Ordering.OrderPlaced> PlaceOrderAsync(Guid customerId, string card, DateTimeOffset orderedAt, bool specialRequirements = false)
    {
        var order = new Contracts.Ordering.OrderPlaced
        {
            OrderId = Guid.NewGuid(), ServiceId = Guid.NewGuid(), CustomerId = customerId, CustomerEmail = "jane@example.test", CustomerName = "Jane Doe",
            ProductId = "promta-business", ProductName = "ProMTA Business", MonthlyPriceMinor = 14900, Currency = "EUR", DedicatedIps = 4,
            PaymentMethodId = card, OrderedAt = orderedAt, HasSpecialRequirements = specialRequirements,
        };
        await Service<Orders.FirstMonthCharge>().ChargeAsync(order, CancellationToken.None);
        return order;
    }

    public async Task<T> ScalarAsync<T>(string sql, object? param = null)
    {
        await using var connection = await Database.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, param))!;
    }

    public static string StripeApiVersion => global::Stripe.StripeConfiguration.ApiVersion;

    /// <summary>Posts an event to Billing's webhook endpoint signed like Stripe signs it (a crafted, late or repeated delivery).</summary>
    public async Task<HttpStatusCode> PostWebhookAsync(string payload)
    {
        using var client = new HttpClient { BaseAddress = BillingAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/stripe") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.Header(payload, WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    public async Task<List<T>> ListAsync<T>(string sql, object? param = null)
    {
        await using var connection = await Database.OpenAsync();
        return (await connection.QueryAsync<T>(sql, param)).ToList();
    }

    /// <summary>Polls until <paramref name="done"/> holds: webhooks arrive asynchronously, as from Stripe.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting until {what}");
            await Task.Delay(100);
        }
    }

    public async Task<JsonElement> GetJsonAsync(HttpClient client, string path) => await client.GetFromJsonAsync<JsonElement>(path);

    public async ValueTask DisposeAsync()
    {
        Emulator.Dispose();
        await billing.StopAsync();
        await billing.DisposeAsync();
        await emulator.DisposeAsync();
    }
}

public sealed record PaidService(Guid CustomerId, Guid ServiceId, Guid InvoiceId, long InvoiceNumber, string PaymentIntentId);
