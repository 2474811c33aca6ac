using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using ProMTA.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace ProMTA.EndToEnd;

/// <summary>
/// The MX Dns publishes for a sending domain (mta1.&lt;domain&gt;, the service's IP) answers: bounce reports from our own
/// outbound and the fake ISPs' asynchronous bounces and complaints find it through PowerDNS and land in the inbox, and
/// the loop closes: the late bounce (to the VERP return path) and the complaint suppress their recipients, reach the
/// customer's webhook signed, and show in the recipient's trail.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class InboundMxTests(PlatformFixture platform, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task Bounces_and_complaints_about_a_customers_mail_reach_our_inbound_mx_through_dns_and_staff_see_them()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var domain = $"in{Guid.NewGuid():N}"[..14] + ".test";
        using var placed = await customer.PlaceOrderAsync(
            new { productId = "promta-starter", paymentMethodId = "pm_card_visa", sendingDomain = domain }, Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        var created = await placed.Content.ReadFromJsonAsync<JsonElement>();
        var serviceId = created.GetProperty("serviceId").GetGuid();
        await customer.WaitForOrderStatusAsync(created.GetProperty("orderId").GetGuid(), "Active", Timeout);
        await customer.WaitForAsync($"/api/services/{serviceId}/dns",
            d => d.GetProperty("records").EnumerateArray().Any(r => r.GetProperty("type").GetString() == "MX"), Timeout);
        using var rotated = await customer.PostAsync($"/api/services/{serviceId}/smtp-password");
        var login = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        using var receiver = new WebhookReceiver();
        using var hook = await customer.PostAsync($"/api/services/{serviceId}/webhooks", new { url = receiver.Url, eventTypes = new[] { "bounced", "complained" } });
        Assert.Equal(HttpStatusCode.Created, hook.StatusCode);
        var secret = (await hook.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;

        // example.test's fake MX: zoe does not exist (550 at RCPT: our own bounce report), ann is accepted and bounced
        // later (to the VERP return path on the customer's domain), carl complains (to abuse@). All reports go to the
        // customer's domain, whose MX is our inbound MX; ann's late bounce makes us tell the sender too (a fourth report).
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse($"news@{domain}"));
        message.To.AddRange([MailboxAddress.Parse("unknown-zoe@example.test"), MailboxAddress.Parse("asyncbounce-ann@example.test"),
            MailboxAddress.Parse("complain-carl@example.test")]);
        message.Subject = "Newsletter";
        message.Body = new TextPart("plain") { Text = "Some will not want this." };
        var clock = Stopwatch.StartNew();
        using (var smtp = new SmtpClient())
        {
            await smtp.ConnectAsync("127.0.0.1", platform.SmtpPort, SecureSocketOptions.None);
            await smtp.AuthenticateAsync(login.GetProperty("username").GetString()!, login.GetProperty("password").GetString()!);
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(true);
        }

        // Our report to the sender covers zoe and ann: one DSN listing both when ann's late bounce came back before our
        // report job ran for zoe, two otherwise (both are right). The fake ISP's bounce about ann comes to her own return
        // path, carl's complaint to abuse@.
        string[] expected = ["dsn to b+ about asyncbounce-ann@example.test", "dsn to news about asyncbounce-ann@example.test",
            "dsn to news about unknown-zoe@example.test", "arf to abuse about complain-carl@example.test"];
        var path = $"/api/admin/inbound?serviceId={serviceId}";
        List<JsonElement> items = [];
        IReadOnlyList<string> reported = [];
        while (clock.Elapsed < Timeout)
        {
            items = [.. (await platform.GetStaffJsonAsync(path)).GetProperty("items").EnumerateArray()];
            reported = [.. items.SelectMany(i => i.GetProperty("originalRecipients").EnumerateArray().Select(about =>
                $"{i.GetProperty("kind").GetString()} to {MailboxOf(i.GetProperty("recipients")[0].GetString()!)} about {about.GetString()}")).Distinct()];
            if (expected.All(reported.Contains)) break;
            await Task.Delay(500);
        }
        output.WriteLine($"every report in the inbox {clock.Elapsed.TotalSeconds:F1} s after the relay's 250 ({items.Count} messages)");
        Assert.Equal(expected.Order(), reported.Order());
        // The fake ISP's bounce came to ann's own return path; ours to the customer's address.
        Assert.Contains(items, i => i.GetProperty("recipients")[0].GetString()!.StartsWith("b+", StringComparison.Ordinal)
            && i.GetProperty("recipients")[0].GetString()!.EndsWith($"@{domain}", StringComparison.Ordinal));

        // The loop closes: the customer sees all three suppressed, each with its reason.
        var suppressions = await customer.WaitForAsync($"/api/services/{serviceId}/suppressions", s => s.GetProperty("total").GetInt64() == 3, Timeout);
        Assert.Equal([("asyncbounce-ann@example.test", "HardBounce"), ("complain-carl@example.test", "Complaint"), ("unknown-zoe@example.test", "HardBounce")],
            suppressions.GetProperty("items").EnumerateArray()
                .Select(i => (i.GetProperty("address").GetString(), i.GetProperty("reason").GetString())).OrderBy(x => x.Item1).ToList());
        // The same signals reach the customer's webhook, signed with its secret: zoe's and ann's bounces (ann's came
        // back by mail after a 250) and carl's complaint; and ann's trail shows both the delivery and the late bounce.
        while (clock.Elapsed < Timeout && receiver.Events(_ => true).Select(e => (e.Type, e.Recipient)).Distinct().Count() < 3) await Task.Delay(500);
        Assert.Equal([("bounced", "asyncbounce-ann@example.test"), ("complained", "complain-carl@example.test"), ("bounced", "unknown-zoe@example.test")],
            receiver.Events(_ => true).Select(e => (e.Type, e.Recipient)).Distinct().OrderBy(e => e.Recipient).ToList());
        Assert.All(receiver.Calls, c => Assert.True(c.Verifies(secret), "every webhook call is signed with the endpoint's secret"));
        var trail = await customer.GetJsonAsync($"/api/services/{serviceId}/messages?recipient=asyncbounce-ann@example.test");
        var ann = Assert.Single(Assert.Single(trail.GetProperty("items").EnumerateArray()).GetProperty("recipients").EnumerateArray());
        // The late bounce put ann on the suppression list: its own event (and a paced one if our pacing held her first).
        Assert.Equal(["accepted", "delivered", "bounced", "suppressed"],
            ann.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event").GetString()).Where(e => e != "paced"));
        Assert.Equal("Bounced", ann.GetProperty("status").GetString());

        var arf = items.Single(i => i.GetProperty("kind").GetString() == "arf");
        Assert.Equal(("abuse", "abuse", $"abuse@{domain}"),
            (arf.GetProperty("feedbackType").GetString(), arf.GetProperty("mailbox").GetString(), arf.GetProperty("recipients")[0].GetString()));
        Assert.All(items, i => Assert.Equal(domain, i.GetProperty("domain").GetString()));

        // Ordinary mail: the owner chooses where it goes, through the gateway; nobody else can.
        using var forwarding = await customer.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/services/{serviceId}/domains/{domain}/forwarding")
        {
            Content = JsonContent.Create(new { address = "owner@example.test" }),
        });
        Assert.Equal(HttpStatusCode.OK, forwarding.StatusCode);
        var stranger = await Customer.SignUpAsync(platform.Gateway);
        using var hidden = await stranger.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/api/services/{serviceId}/domains/{domain}/forwarding")
        {
            Content = JsonContent.Create(new { address = "thief@example.test" }),
        });
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        using var refused = await customer.GetAsync("/api/admin/inbound");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    /// <summary>"b+" for a VERP return path, else the local part (news, abuse).</summary>
    private static string MailboxOf(string address) => address.StartsWith("b+", StringComparison.Ordinal) ? "b+" : address[..address.IndexOf('@')];
}
