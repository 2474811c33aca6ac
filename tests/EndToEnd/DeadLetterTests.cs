using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MassTransit;
using ProMTA.Contracts.Ordering;
using Xunit;
using Xunit.Abstractions;

namespace ProMTA.EndToEnd;

/// <summary>
/// A message that fails every retry lands in its consumer's _error queue: operators see it (with the exception), an alert
/// metric rises, and after the cause is fixed they replay it and it is consumed.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed partial class DeadLetterTests(PlatformFixture platform, ITestOutputHelper output)
{
    private const string Queue = "provisioning-order-review-accepted";
    private const string ErrorQueue = Queue + "_error";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_message_that_fails_every_retry_is_listed_alerted_and_consumed_when_replayed_after_the_fix()
    {
        // An order with special requirements whose card needs 3-D Secure: not paid yet, so Provisioning has no setup for it.
        var customer = await Customer.SignUpAsync(platform.Gateway);
        using var placed = await customer.PlaceOrderAsync(new
        {
            productId = "promta-starter", paymentMethodId = "pm_card_authenticationRequired", specialRequirements = "A server in Frankfurt, please.",
        }, Guid.NewGuid().ToString());
        var created = await placed.Content.ReadFromJsonAsync<JsonElement>();
        var orderId = created.GetProperty("orderId").GetGuid();
        var serviceId = created.GetProperty("serviceId").GetGuid();
        var failed = await customer.WaitForOrderStatusAsync(orderId, "PaymentFailed", Timeout);

        // The review decision reaches Provisioning before the payment: its consumer throws on every retry.
        var messageId = NewId.NextGuid();
        await SendToQueueAsync(new OrderReviewAccepted
        {
            OrderId = orderId, ServiceId = serviceId, SetupDeadline = DateTimeOffset.UtcNow.AddDays(2),
            ReviewerId = platform.AccountManager.Id, ReviewedAt = DateTimeOffset.UtcNow,
        }, messageId);

        var report = await WaitForReportAsync(r => Listed(r, messageId) is not null);
        var letter = Listed(report, messageId)!.Value;
        output.WriteLine(letter.ToString());
        Assert.EndsWith("InvalidOperationException", letter.GetProperty("exceptionType").GetString());
        Assert.Contains($"No paid setup for service {serviceId}", letter.GetProperty("exceptionMessage").GetString());
        Assert.Contains("OrderReviewAccepted", letter.GetProperty("messageType").GetString());
        Assert.Equal(6, letter.GetProperty("retries").GetInt32());
        Assert.Contains(orderId.ToString(), letter.GetProperty("body").GetString());
        Assert.True(report.GetProperty("total").GetInt64() >= 1);

        // The alert metric: Provisioning reports the queue's depth.
        await WaitForAsync(() => DeadLetterGauge() >= 1, "promta.messaging.dead_letters >= 1 for " + ErrorQueue);

        // The order's flow shows the faulted consumption with its retries and exception.
        var faulted = await ConsumptionAsync(orderId, messageId);
        Assert.Equal("Faulted", faulted.GetProperty("status").GetString());
        Assert.Equal(6, faulted.GetProperty("retries").GetInt32());
        Assert.Contains("No paid setup", faulted.GetProperty("fault").GetString());

        // Only operators replay, and only messages that exist.
        using var asCustomer = await customer.PostAsync($"/api/admin/dead-letters/{ErrorQueue}/messages/{messageId}/replay");
        Assert.Equal(HttpStatusCode.Forbidden, asCustomer.StatusCode);
        using var unknownMessage = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/dead-letters/{ErrorQueue}/messages/{Guid.NewGuid()}/replay");
        Assert.Equal(HttpStatusCode.NotFound, unknownMessage.StatusCode);
        using var unknownQueue = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/dead-letters/nobody-queue_error/messages/{messageId}/replay");
        Assert.Equal(HttpStatusCode.NotFound, unknownQueue.StatusCode);

        // The fix: the customer authenticates the payment; the order waits in review with its setup row at Provisioning.
        var payUrl = PayUrl().Match(failed.GetProperty("timeline").EnumerateArray()
            .Single(e => e.GetProperty("status").GetString() == "PaymentFailed").GetProperty("detail").GetString()!).Groups[1].Value;
        using (var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }))
        using (var authenticated = await browser.GetAsync(payUrl))
        {
            Assert.Equal(HttpStatusCode.Redirect, authenticated.StatusCode);
        }
        await customer.WaitForOrderStatusAsync(orderId, "InReview", Timeout);

        using var replay = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/dead-letters/{ErrorQueue}/messages/{messageId}/replay");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(Queue, (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("replayedTo").GetString());

        // Consumed this time: the server is set up and the order goes live; the error queue no longer holds it.
        await customer.WaitForOrderStatusAsync(orderId, "Active", Timeout);
        var consumed = await ConsumptionAsync(orderId, messageId);
        Assert.Equal("Consumed", consumed.GetProperty("status").GetString());
        Assert.Equal(7, consumed.GetProperty("retries").GetInt32());
        Assert.Null(Listed(await ReportAsync(), messageId));
        using var again = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/dead-letters/{ErrorQueue}/messages/{messageId}/replay");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Dead_letters_are_for_operators_only()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        using var asCustomer = await customer.GetAsync("/api/admin/dead-letters");
        Assert.Equal(HttpStatusCode.Forbidden, asCustomer.StatusCode);
        using var asAccountManager = await platform.SendAsStaffAsync(HttpMethod.Get, "/api/admin/dead-letters", token: platform.AccountManager.Token);
        Assert.Equal(HttpStatusCode.Forbidden, asAccountManager.StatusCode);
        var report = await ReportAsync();
        Assert.Empty(report.GetProperty("unavailable").EnumerateArray());
    }

    private async Task SendToQueueAsync<T>(T message, Guid messageId) where T : class
    {
        var broker = new Uri(await platform.ConnectionStringAsync("rabbitmq"));
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(broker, host =>
        {
            var user = broker.UserInfo.Split(':', 2);
            host.Username(Uri.UnescapeDataString(user[0]));
            host.Password(Uri.UnescapeDataString(user[1]));
        }));
        await bus.StartAsync();
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{Queue}"));
            await endpoint.Send(message, context => context.MessageId = messageId);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private double DeadLetterGauge() => platform.Telemetry.Points
        .Where(p => p.Service == "provisioning" && p.Metric == "promta.messaging.dead_letters" && p.Attributes.GetValueOrDefault("queue") == ErrorQueue)
        .OrderBy(p => p.At).LastOrDefault()?.Value ?? 0;

    private static JsonElement? Listed(JsonElement report, Guid messageId) =>
        report.GetProperty("queues").EnumerateArray()
            .Where(q => q.GetProperty("errorQueue").GetString() == ErrorQueue)
            .SelectMany(q => q.GetProperty("messages").EnumerateArray())
            .Cast<JsonElement?>()
            .FirstOrDefault(m => m!.Value.GetProperty("messageId").GetString() == messageId.ToString());

    private async Task<JsonElement> ReportAsync()
    {
        using var response = await platform.SendAsStaffAsync(HttpMethod.Get, "/api/admin/dead-letters");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> WaitForReportAsync(Func<JsonElement, bool> done)
    {
        JsonElement report = default;
        await WaitForAsync(async () => done(report = await ReportAsync()), $"the message in {ErrorQueue}");
        return report;
    }

    private async Task<JsonElement> ConsumptionAsync(Guid orderId, Guid messageId)
    {
        using var response = await platform.SendAsStaffAsync(HttpMethod.Get, $"/api/admin/orders/{orderId}/flow");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var flow = await response.Content.ReadFromJsonAsync<JsonElement>();
        return flow.GetProperty("events").EnumerateArray()
            .Single(e => e.GetProperty("consumer").GetString() == Queue && e.GetProperty("messageId").GetGuid() == messageId);
    }

    private static Task WaitForAsync(Func<bool> done, string what) => WaitForAsync(() => Task.FromResult(done()), what);

    private static async Task WaitForAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await done()) return;
            await Task.Delay(500);
        }
        Assert.Fail($"Timed out waiting for {what}");
    }

    [GeneratedRegex(@"Complete the payment at (\S+)")]
    private static partial Regex PayUrl();
}
