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

        var stranger = await Customer.SignUpAsync(platform.Gateway);
        using var hidden = await stranger.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
    }

    private static JsonElement Provider(JsonElement delivery, string name) =>
        delivery.GetProperty("providers").EnumerateArray().FirstOrDefault(p => p.GetProperty("provider").GetString() == name);

    private static long Events(JsonElement delivery, string provider, string kind) =>
        Provider(delivery, provider) is { ValueKind: JsonValueKind.Object } p ? p.GetProperty("events").GetProperty(kind).GetInt64() : -1;
}
