using System.Text.RegularExpressions;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Playwright;
using MimeKit;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace ProMTA.EndToEnd.Portal;

/// <summary>
/// Issue 16 in the portal: a service's webhooks (added with the secret shown once, a new secret, recent calls, removed)
/// and finding a message by the Message-ID header the customer's software wrote, with its trail.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PortalDeliveryToolsTests(PlatformFixture platform, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_customer_manages_webhooks_with_the_secret_shown_once_and_finds_a_sent_message_by_its_message_id()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "delivery-tools");
        var page = visit.Page;
        var domain = $"t{Guid.NewGuid():N}"[..12] + ".example.test";
        await visit.SignUpAsync($"portal-{Guid.NewGuid():N}@example.test");
        await page.GotoAsync("/order?product=promta-starter");
        await visit.OrderAsync("ProMTA Starter", "4242424242424242", sendingDomain: domain);
        await visit.WaitForOrderStatusAsync("Active");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the service" }).ClickAsync();
        await Expect(page.Locator("#service-status")).ToHaveTextAsync("Live");
        var service = page.Url;

        // Webhooks: reached from the service page.
        await page.GetByRole(AriaRole.Link, new() { Name = "Webhooks", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/services/[0-9a-f-]{36}/webhooks$"));
        await Expect(page.Locator("#no-webhooks")).ToHaveTextAsync("No endpoints yet.");
        await visit.CheckPageAsync("webhooks-empty");

        // A URL that is not https is named at its field.
        await page.GetByLabel("Endpoint URL").FillAsync("ftp://hooks.example.com/promta");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        await Expect(page.Locator("#url-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#url")).ToHaveAttributeAsync("aria-invalid", "true");

        const string url = "https://hooks.example.com/promta";
        await page.GetByLabel("Endpoint URL").FillAsync(url);
        await page.GetByLabel("Paced: we held mail back", new() { Exact = false }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        var secret = page.Locator("#secret-value");
        await Expect(secret).ToHaveTextAsync(new Regex("^whsec_"));
        var first = await secret.TextContentAsync();
        var listed = page.Locator($"[data-webhook]");
        await Expect(listed).ToHaveCountAsync(1);
        await Expect(listed).ToContainTextAsync(url);
        await Expect(listed).ToContainTextAsync("paced");
        await visit.CheckPageAsync("webhooks-created");

        // Shown once: a reload lists the endpoint without any secret.
        await page.ReloadAsync();
        await Expect(listed).ToHaveCountAsync(1);
        await Expect(secret).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = $"New secret for {url}" }).ClickAsync();
        await Expect(secret).ToHaveTextAsync(new Regex("^whsec_"));
        Assert.NotEqual(first, await secret.TextContentAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = $"Recent calls to {url}" }).ClickAsync();
        await Expect(page.Locator("#no-deliveries")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = $"Remove {url}" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Yes, remove {url}" }).ClickAsync();
        await Expect(page.Locator("#no-webhooks")).ToBeVisibleAsync();

        // A message sent through the relay, found by the Message-ID header its sender wrote; the relay takes mail from
        // the domain once its delegation is verified, which may come a moment after the service is live.
        var serviceId = service.Split('/').Last();
        for (var verifyBy = DateTime.UtcNow.AddSeconds(60); await page.EvaluateAsync<string>(
                 "id => Portal.api('GET', `/api/services/${id}/domains`).then(r => r.data.items[0].status)", serviceId) != "verified";)
        {
            Assert.True(DateTime.UtcNow < verifyBy, $"{domain} was not verified within 60 s");
            await Task.Delay(500);
        }
        var login = await page.EvaluateAsync<Dictionary<string, string>>(
            "id => Portal.api('POST', `/api/services/${id}/smtp-password`).then(r => r.data)", serviceId);
        var messageId = $"portal-{Guid.NewGuid():N}@{domain}";
        var message = new MimeMessage { Subject = "Find me", MessageId = messageId, Body = new TextPart("plain") { Text = "Hello." } };
        message.From.Add(MailboxAddress.Parse($"news@{domain}"));
        message.To.Add(MailboxAddress.Parse("reader@example.test"));
        using (var smtp = new SmtpClient())
        {
            await smtp.ConnectAsync("127.0.0.1", platform.SmtpPort, SecureSocketOptions.None);
            await smtp.AuthenticateAsync(login["username"], login["password"]);
            await smtp.SendAsync(message);
            await smtp.DisconnectAsync(true);
        }

        await page.GotoAsync(service);
        await page.GetByRole(AriaRole.Link, new() { Name = "Find a message" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/services/[0-9a-f-]{36}/messages$"));
        await page.GetByLabel("Message ID").FillAsync("<>");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.Locator("#messageId-error")).ToBeVisibleAsync();

        await page.GetByLabel("Message ID").FillAsync($"<{messageId}>");
        var recipient = page.Locator("[data-recipient='reader@example.test']");
        var deadline = DateTime.UtcNow + PortalVisit.LiveTimeout;
        do
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
            await Expect(page.Locator("#results")).Not.ToBeEmptyAsync();
            if (await recipient.Locator("[data-event='delivered']").CountAsync() > 0) break;
            await Task.Delay(1000);
        }
        while (DateTime.UtcNow < deadline);
        await Expect(recipient.Locator("[data-event='accepted']")).ToHaveCountAsync(1);
        await Expect(recipient.Locator("[data-event='delivered']")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-message]")).ToContainTextAsync(messageId);
        await visit.CheckPageAsync("message-found");
        await visit.AssertNoSidewaysScrollAsync("messages");
    }
}
