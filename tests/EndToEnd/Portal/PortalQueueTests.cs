using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace ProMTA.EndToEnd.Portal;

/// <summary>Queue control and SMTP credentials in the portal (issue 20): pause and resume, count before removing, the audit log, on a laptop and a phone; a credential made, shown once and revoked.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PortalQueueTests(PlatformFixture platform, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_customer_pauses_resumes_and_counts_before_removing_mail_from_the_queue()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "queue");
        var page = visit.Page;
        await visit.NewCustomerOrdersAsync("4242424242424242");
        await visit.WaitForOrderStatusAsync("Active");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the service" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^See the mail waiting to be sent") }).ClickAsync();

        await Expect(page.Locator("#lanes")).ToContainTextAsync("Nothing is waiting");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause all sending" }).ClickAsync();
        await Expect(page.Locator("#lane-result")).ToHaveTextAsync("All sending is paused.");
        await Expect(page.Locator("#whole-hold")).ToContainTextAsync("All sending is paused since");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Pause all sending" })).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Resume all sending" }).ClickAsync();
        await Expect(page.Locator("#whole-hold")).ToHaveCountAsync(0);

        // A provider paused (here through the API, as a script would) shows as its own row with a Resume button.
        var serviceId = page.Url.Split('/')[^2];
        Assert.Equal(200, await page.EvaluateAsync<int>($"Portal.api('POST', '/api/services/{serviceId}/queue/pause', {{ provider: 'Gmail' }}).then(r => r.status)"));
        await page.ReloadAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Resume sending to Gmail" }).ClickAsync();
        await Expect(page.Locator("#lane-result")).ToHaveTextAsync("Sending to Gmail is resumed.");
        await Expect(page.Locator("#lanes")).ToContainTextAsync("Nothing is waiting");

        // Removing asks for a filter and a count first; a count of nothing offers nothing to remove.
        await page.GetByRole(AriaRole.Button, new() { Name = "Count matching mail" }).ClickAsync();
        await Expect(page.Locator("#purge-result")).ToContainTextAsync("Give at least one of");
        await page.GetByLabel("Recipient domain").FillAsync("a b");
        await page.GetByRole(AriaRole.Button, new() { Name = "Count matching mail" }).ClickAsync();
        await Expect(page.Locator("#purge-domain-error")).ToContainTextAsync("recipient domain");
        await page.GetByLabel("Recipient domain").FillAsync("example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Count matching mail" }).ClickAsync();
        await Expect(page.Locator("#purge-result")).ToHaveTextAsync("0 queued recipients match.");
        await Expect(page.Locator("#purge-run")).ToBeHiddenAsync();

        // The audit log says who did what.
        var log = page.Locator("#actions");
        await Expect(log).ToContainTextAsync("Paused");
        await Expect(log).ToContainTextAsync("Resumed");
        await Expect(log.Locator("tbody tr")).ToHaveCountAsync(4);
        await visit.CheckPageAsync("queue");
        await visit.AssertNoSidewaysScrollAsync("queue");

        await page.SetViewportSizeAsync(390, 844);
        await page.ReloadAsync();
        await Expect(log.Locator("tbody tr")).ToHaveCountAsync(4);
        await visit.AssertNoSidewaysScrollAsync("queue on a phone");
        await visit.CheckPageAsync("queue-phone");
    }

    [Fact]
    public async Task A_customer_makes_an_smtp_credential_sees_its_password_once_and_revokes_it()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "smtp-credentials");
        var page = visit.Page;
        await visit.NewCustomerOrdersAsync("4242424242424242");
        await visit.WaitForOrderStatusAsync("Active");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the service" }).ClickAsync();
        await Expect(page.Locator("#credentials")).ToContainTextAsync("No other credentials yet.");
        // The AppHost watches two local test lists (nothing lists this service's IP there).
        await Expect(page.Locator("#reputation-clean")).ToHaveTextAsync("No listing seen on the watched lists (bl.promta.test, dbl.promta.test).");
        // Each dedicated IP has its row in the panel: on no list, nothing sent yet, so no rate is made up.
        var ipRow = page.Locator("#reputation-ips tbody tr").First;
        await Expect(ipRow.Locator("td[data-label='Listed by']")).ToHaveTextAsync("none");
        await Expect(ipRow.Locator("td[data-label='Accepted']")).ToHaveTextAsync("–");

        await page.GetByRole(AriaRole.Button, new() { Name = "Create a credential" }).ClickAsync();
        await Expect(page.Locator("#credential-name-error")).ToContainTextAsync("name is required");
        await page.GetByLabel("Name of the new credential").FillAsync("Newsletter tool");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create a credential" }).ClickAsync();
        await Expect(page.Locator("#credential-result")).ToContainTextAsync("\"Newsletter tool\" is ready");
        Assert.Matches("^[A-Za-z0-9_-]{32}$", await page.Locator("#new-credential-password").TextContentAsync());
        var row = page.Locator("#credentials tbody tr");
        await Expect(row).ToContainTextAsync("Never");
        await visit.CheckPageAsync("credential-made");

        // Gone after a reload: the password is never shown twice.
        await page.ReloadAsync();
        await Expect(page.Locator("#new-credential-password")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke Newsletter tool" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, revoke \"Newsletter tool\" now" }).ClickAsync();
        await Expect(page.Locator("#credential-result")).ToHaveTextAsync("\"Newsletter tool\" is revoked: it can no longer log in.");
        await Expect(row).ToContainTextAsync("Revoked");
        await visit.AssertNoSidewaysScrollAsync("service with credentials");
    }
}
