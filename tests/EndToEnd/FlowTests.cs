using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace ProMTA.EndToEnd;

/// <summary>GET /api/admin/orders/{id}/flow: an operator follows an order's messages across the services.</summary>
[Collection(PlatformCollection.Name)]
public sealed class FlowTests(PlatformFixture platform, ITestOutputHelper output)
{
    private static readonly TimeSpan PipelineTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task An_operator_sees_every_message_of_an_order_across_services_in_time_order()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var (orderId, _, traceId) = await customer.PlaceCardOrderAsync();
        await customer.WaitForOrderStatusAsync(orderId, "Active", PipelineTimeout);

        var flow = await WaitForFlowAsync(orderId, f => Events(f).Any(e => e.Kind == "Consumed" && e.MessageType == "ServiceActivated"));
        output.WriteLine(flow.ToString());
        Assert.Equal(orderId, flow.GetProperty("orderId").GetGuid());
        Assert.Equal(traceId, flow.GetProperty("traceId").GetString());
        Assert.Empty(flow.GetProperty("unavailable").EnumerateArray());
        var events = Events(flow);
        Assert.Equal(events.OrderBy(e => e.At).Select(e => e.At), events.Select(e => e.At));
        Assert.All(events, e => Assert.Equal(traceId, e.TraceId));

        // Each step of the happy path: published once by its service, consumed by each consumer, once, without a fault.
        foreach (var (publisher, message, consumers) in new[]
        {
            ("ordering", "OrderPlaced", new[] { "billing-order-placed", "dns-order-placed", "delivery-order-placed" }),
            ("billing", "PaymentSucceeded", ["provisioning-payment-succeeded", "ordering-payment-succeeded"]),
            ("provisioning", "ServerProvisioned", ["ordering-server-provisioned"]),
            ("provisioning", "ReverseDnsRequested", ["dns-reverse-dns-requested", "ordering-reverse-dns-requested"]),
            ("dns", "ReverseDnsPropagated", ["delivery-reverse-dns-propagated", "ordering-reverse-dns-propagated"]),
            ("delivery", "ServiceActivated", ["ordering-service-activated"]),
        })
        {
            var published = Assert.Single(events, e => e.Kind == "Published" && e.MessageType == message);
            Assert.Equal(publisher, published.Service);
            Assert.Equal("Relayed", published.Status);
            foreach (var consumer in consumers)
            {
                var consumed = Assert.Single(events, e => e.Kind == "Consumed" && e.Consumer == consumer && e.MessageId == published.MessageId);
                Assert.Equal(consumer.Split('-')[0], consumed.Service);
                Assert.Equal(message, consumed.MessageType);
                Assert.Equal("Consumed", consumed.Status);
                Assert.True(consumed.DurationMs > 0, $"{consumer} took {consumed.DurationMs} ms");
                Assert.True(consumed.At >= published.At, $"{consumer} consumed {message} before it was published");
                // DNS may retry while the PTR propagates; nothing else on the happy path retries.
                if (consumer != "dns-reverse-dns-requested") Assert.Equal(0, consumed.Retries);
            }
        }
    }

    [Fact]
    public async Task The_flow_is_for_operators_only_and_an_unknown_order_is_not_found()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var (orderId, _, _) = await customer.PlaceCardOrderAsync();

        using var asCustomer = await customer.GetAsync($"/api/admin/orders/{orderId}/flow");
        Assert.Equal(HttpStatusCode.Forbidden, asCustomer.StatusCode);
        using var asAccountManager = await platform.SendAsStaffAsync(HttpMethod.Get, $"/api/admin/orders/{orderId}/flow", token: platform.AccountManager.Token);
        Assert.Equal(HttpStatusCode.Forbidden, asAccountManager.StatusCode);
        using var unknown = await platform.SendAsStaffAsync(HttpMethod.Get, $"/api/admin/orders/{Guid.NewGuid()}/flow");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private sealed record Event(DateTimeOffset At, string Service, string Kind, string MessageType, Guid MessageId, string? Consumer,
        string? TraceId, double? DurationMs, int Retries, string Status, string? Fault);

    private static List<Event> Events(JsonElement flow) =>
        flow.GetProperty("events").Deserialize<List<Event>>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    private async Task<JsonElement> WaitForFlowAsync(Guid orderId, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JsonElement flow;
        do
        {
            using var response = await platform.SendAsStaffAsync(HttpMethod.Get, $"/api/admin/orders/{orderId}/flow");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            flow = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (done(flow)) return flow;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Fail($"The flow of {orderId} did not complete; last seen: {flow}");
        return flow;
    }
}
