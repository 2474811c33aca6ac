using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DnsClient;
using DnsClient.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace ProMTA.EndToEnd;

[Collection(PlatformCollection.Name)]
public sealed class OrderLifecycleTests(PlatformFixture platform, ITestOutputHelper output)
{
    private static readonly TimeSpan PipelineTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task An_order_paid_by_card_goes_live_with_reverse_dns_answering()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        // A Dutch business: the seller's own country, so Dutch VAT (21 %) on top of the net price.
        using var profile = await customer.PutAsync("/api/account/billing-profile", new
        {
            company = "Acme Mailing B.V.", addressLine1 = "Damrak 1", postalCode = "1012 LG", city = "Amsterdam", country = "NL",
            vatId = "NL819504223B01", billingEmail = "ap@acme.example",
        });
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        var stopwatch = Stopwatch.StartNew();
        using var placed = await customer.PlaceOrderAsync(new { productId = "promta-starter", paymentMethodId = "pm_card_visa" }, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var created = await placed.Content.ReadFromJsonAsync<JsonElement>();
        var orderId = created.GetProperty("orderId").GetGuid();
        var serviceId = created.GetProperty("serviceId").GetGuid();
        Assert.Equal("Placed", created.GetProperty("status").GetString());

        var order = await customer.WaitForOrderStatusAsync(orderId, "Active", PipelineTimeout);
        output.WriteLine($"POST /api/orders to Active: {stopwatch.ElapsedMilliseconds} ms");

        var timeline = order.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("status").GetString()).ToList();
        Assert.Equal(["Placed", "Paid", "Provisioned", "ReverseDnsRequested", "ReverseDnsPropagated", "Active"], timeline.Order(new LifecycleOrder()).ToList());
        Assert.Equal(timeline.Count, timeline.Distinct().Count());

        var service = await customer.GetJsonAsync($"/api/services/{serviceId}");
        Assert.Equal("Active", service.GetProperty("status").GetString());
        var ip = Assert.Single(service.GetProperty("ips").EnumerateArray()).GetString()!;
        var hostname = service.GetProperty("hostname").GetString()!;
        Assert.StartsWith("svc-", service.GetProperty("smtp").GetProperty("username").GetString());
        Assert.True(service.GetProperty("paidThrough").GetString() is { Length: > 0 });

        var dns = new LookupClient(new LookupClientOptions(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, platform.DnsPort)) { UseCache = false });
        var ptr = await dns.QueryReverseAsync(System.Net.IPAddress.Parse(ip));
        Assert.Contains(ptr.Answers.OfType<PtrRecord>(), r => r.PtrDomainName.Value.TrimEnd('.') == hostname);

        var invoices = await customer.GetJsonAsync("/api/invoices");
        var invoice = Assert.Single(invoices.GetProperty("items").EnumerateArray());
        Assert.Equal("Paid", invoice.GetProperty("status").GetString());
        Assert.Equal((149.00m, 31.29m, 180.29m), (invoice.GetProperty("net").GetDecimal(), invoice.GetProperty("vat").GetDecimal(), invoice.GetProperty("amount").GetDecimal()));
        using var pdf = await customer.GetAsync($"/api/invoices/{invoice.GetProperty("id").GetGuid()}/pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        using var document = UglyToad.PdfPig.PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync());
        var text = string.Join(" ", document.GetPage(1).GetWords().Select(w => w.Text));
        var period = $"{invoice.GetProperty("periodStart").GetString()} to {invoice.GetProperty("periodEnd").GetString()}"; // the same days as the API
        Assert.All([$"Invoice number {invoice.GetProperty("number").GetInt64()}", "Acme Mailing B.V.", "VAT ID: NL819504223B01", $"Service period {period}",
            "ProMTA Starter, monthly subscription (prepaid)", "VAT 21% 31.29 EUR", "Total 180.29 EUR", "Payment: paid by card"], field => Assert.Contains(field, text));
        Assert.Equal(0, (await customer.GetJsonAsync("/api/credit-notes")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_declined_card_fails_the_order_and_provisions_nothing()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        using var placed = await customer.PlaceOrderAsync(new { productId = "promta-starter", paymentMethodId = "pm_card_chargeDeclined" }, Guid.NewGuid().ToString());
        var orderId = (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid();

        var order = await customer.WaitForOrderStatusAsync(orderId, "PaymentFailed", PipelineTimeout);
        var failure = order.GetProperty("timeline").EnumerateArray().Single(e => e.GetProperty("status").GetString() == "PaymentFailed");
        Assert.Contains("declined", failure.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);

        // Give a wrongly triggered provisioning time to show up before asserting it did not.
        await Task.Delay(TimeSpan.FromSeconds(2));
        // Nothing was created, so there is no service to manage and no invoice to pay.
        using var service = await customer.GetAsync($"/api/services/{order.GetProperty("serviceId").GetGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, service.StatusCode);
        Assert.Equal(0, (await customer.GetJsonAsync("/api/services")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await customer.GetJsonAsync("/api/invoices")).GetProperty("total").GetInt32());
        Assert.Equal("PaymentFailed", (await customer.GetJsonAsync($"/api/orders/{orderId}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_order()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var key = Guid.NewGuid().ToString();
        var order = new { productId = "promta-starter", paymentMethodId = "pm_card_visa" };
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => customer.PlaceOrderAsync(order, key)));
        var ids = new HashSet<Guid>();
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetGuid());
        }
        Assert.Single(ids);
        var list = await customer.GetJsonAsync("/api/orders");
        Assert.Equal(1, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Another_customers_order_is_not_found_and_no_credentials_is_unauthorized()
    {
        var owner = await Customer.SignUpAsync(platform.Gateway);
        var stranger = await Customer.SignUpAsync(platform.Gateway);
        using var placed = await owner.PlaceOrderAsync(new { productId = "promta-starter", paymentMethodId = "pm_card_visa" }, Guid.NewGuid().ToString());
        var created = await placed.Content.ReadFromJsonAsync<JsonElement>();

        using var order = await stranger.GetAsync($"/api/orders/{created.GetProperty("orderId").GetGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, order.StatusCode);
        using var service = await stranger.GetAsync($"/api/services/{created.GetProperty("serviceId").GetGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, service.StatusCode);
        using var anonymous = await platform.Gateway.GetAsync("/api/orders");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Bad_order_input_is_a_problem_naming_the_field()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        using var response = await customer.PlaceOrderAsync(new { productId = "no-such-product", paymentMethodId = "4242424242424242" }, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("paymentMethodId", out _));
    }

    /// <summary>Events may be recorded slightly out of order (two are published together); sort by lifecycle stage.</summary>
    private sealed class LifecycleOrder : IComparer<string?>
    {
        private static readonly string[] Stages = ["Placed", "Paid", "Provisioned", "ReverseDnsRequested", "ReverseDnsPropagated", "Active"];
        public int Compare(string? x, string? y) => Array.IndexOf(Stages, x).CompareTo(Array.IndexOf(Stages, y));
    }
}
