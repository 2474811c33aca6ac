using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Xunit;

namespace ProMTA.EndToEnd;

[Collection(PlatformCollection.Name)]
public sealed class DeliveryEventsTests(PlatformFixture platform)
{
    [Fact]
    public async Task Mail_through_the_relay_shows_its_delivery_events_per_provider_and_the_bounce_report_to_the_sender()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var (_, serviceId) = await customer.OrderActiveServiceAsync(TimeSpan.FromSeconds(90));
        using var rotated = await customer.PostAsync($"/api/services/{serviceId}/smtp-password");
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var login = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        // The service has no domain of its own: an operator allows it to send as example.test (audited), whose fake ISP
        // receives the bounce report. Without that the relay answers 550 5.7.1 (SendingDomainTests).
        using (var allowed = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/services/{serviceId}/sender-domains",
            new { domain = "example.test", reason = "E2E: the bounce report must reach a fake ISP" }))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            var grants = await allowed.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("allowed", grants.GetProperty("audit")[0].GetProperty("action").GetString());
        }

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("me@example.test"));
        message.To.AddRange([MailboxAddress.Parse("ada@gmail.test"), MailboxAddress.Parse("unknown-zoe@gmail.test")]);
        message.Subject = "Events";
        message.Body = new TextPart("plain") { Text = "One delivered, one bounced, and a report back to example.test." };
        using (var smtp = new SmtpClient())
        {
            await smtp.ConnectAsync("127.0.0.1", platform.SmtpPort, SecureSocketOptions.None);
            await smtp.AuthenticateAsync(login.GetProperty("username").GetString()!, login.GetProperty("password").GetString()!);
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(true);
        }

        // Gmail: both accepted, one delivered, one bounced; "Other" (example.test): the report to the sender, delivered.
        var path = $"/api/services/{serviceId}/delivery";
        var delivery = await customer.WaitForAsync(path, body => Events(body, "Gmail", "delivered") == 1 && Events(body, "Gmail", "bounced") == 1
            && Events(body, "Other", "delivered") == 1, TimeSpan.FromSeconds(90));
        Assert.Equal(2, Events(delivery, "Gmail", "accepted"));
        Assert.Equal(0, Events(delivery, "Gmail", "expired"));
        var gmail = Provider(delivery, "Gmail");
        Assert.Equal((1, 1), (gmail.GetProperty("sent").GetInt64(), gmail.GetProperty("bounced").GetInt64())); // the existing fields stay
        Assert.Equal(2, gmail.GetProperty("recentEvents").GetProperty("accepted").GetInt64());
        Assert.Equal(24, delivery.GetProperty("recentWindowHours").GetDouble());

        // The same mail in the history behind the portal's chart (issue 18), counted per provider and hour.
        var historyPath = $"/api/services/{serviceId}/delivery/history?step=hour";
        var history = await customer.WaitForAsync(historyPath, body => Counted(body, "Gmail", "delivered") == 1 && Counted(body, "Gmail", "bounced") == 1
            && Counted(body, "Other", "delivered") == 1, TimeSpan.FromSeconds(30));
        Assert.Equal("hour", history.GetProperty("step").GetString());
        Assert.Equal(25, history.GetProperty("providers")[0].GetProperty("points").GetArrayLength()); // the last 24 hours and this one, zeros included
        var seenByStaff = await platform.GetStaffJsonAsync(historyPath);
        Assert.Equal(1, Counted(seenByStaff, "Gmail", "delivered"));

        var stranger = await Customer.SignUpAsync(platform.Gateway);
        using var hidden = await stranger.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        using var hiddenHistory = await stranger.GetAsync(historyPath);
        Assert.Equal(HttpStatusCode.NotFound, hiddenHistory.StatusCode);
    }

    [Theory]
    [InlineData("step=second", "step")]
    [InlineData("from=2026-12-05T12:00:00Z&to=2026-12-05T10:00:00Z", "to")]
    [InlineData("from=last-week", "from")]
    [InlineData("from=2020-01-01T00:00:00Z&step=minute", "step")]
    public async Task A_bad_history_range_is_a_400_that_names_the_field(string query, string field)
    {
        using var response = await platform.SendAsStaffAsync(HttpMethod.Get, $"/api/services/{Guid.NewGuid()}/delivery/history?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    private static long Counted(JsonElement history, string provider, string kind) =>
        history.GetProperty("providers").EnumerateArray().Where(p => p.GetProperty("provider").GetString() == provider)
            .SelectMany(p => p.GetProperty("points").EnumerateArray()).Sum(b => b.GetProperty(kind).GetInt64());

    private static JsonElement Provider(JsonElement delivery, string name) =>
        delivery.GetProperty("providers").EnumerateArray().FirstOrDefault(p => p.GetProperty("provider").GetString() == name);

    private static long Events(JsonElement delivery, string provider, string kind) =>
        Provider(delivery, provider) is { ValueKind: JsonValueKind.Object } p ? p.GetProperty("events").GetProperty(kind).GetInt64() : -1;
}
