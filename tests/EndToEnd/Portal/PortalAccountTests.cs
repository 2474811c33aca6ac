using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace ProMTA.EndToEnd.Portal;

/// <summary>Issue 18, a customer's account: the /account page in Debian's chromium, every section used for real.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PortalAccountTests(PlatformFixture platform, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string NewPassword = "a brand new passphrase";

    [Fact]
    public async Task The_account_page_shows_and_changes_profile_card_keys_billing_details_and_password_then_logs_out_everywhere()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "account");
        var page = visit.Page;
        // Revoking and logging out everywhere ask first; the customer agrees.
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        var email = $"portal-{Guid.NewGuid():N}@example.test";
        await visit.SignUpAsync(email);
        await page.GotoAsync("/order?product=promta-starter");
        await visit.OrderAsync("ProMTA Starter", "4242424242424242");

        // The navigation leads there; the card is on file once Billing has charged the first month.
        await page.GetByRole(AriaRole.Link, new() { Name = "Account" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/account$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your account" })).ToBeVisibleAsync();
        await Expect(page.Locator("#me")).ToContainTextAsync("Portal Customer");
        await Expect(page.Locator("#me")).ToContainTextAsync("@example.test");
        var card = page.Locator("#card");
        var deadline = DateTime.UtcNow + PortalVisit.LiveTimeout;
        while (!(await card.TextContentAsync() ?? "").Contains("Visa ending in 4242", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000);
            await page.ReloadAsync();
            await Expect(card).Not.ToHaveTextAsync("Loading your card…");
        }
        await Expect(card).ToHaveTextAsync("Visa ending in 4242, expires 12/2034.");
        await visit.CheckPageAsync("account");
        await visit.AssertNoSidewaysScrollAsync("account at 1280 px");

        // Billing details: a bad country is named next to its field; a good profile is saved and survives a reload.
        await page.GetByLabel("Company").FillAsync("Portal Customer B.V.");
        await page.GetByLabel("Address", new() { Exact = true }).FillAsync("Keizersgracht 1");
        await page.GetByLabel("Postal code").FillAsync("1015 AA");
        await page.GetByLabel("City").FillAsync("Amsterdam");
        await page.GetByLabel("Country code").FillAsync("XX");
        await page.GetByLabel("Billing e-mail").FillAsync("billing@example.test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save billing details" }).ClickAsync();
        await Expect(page.Locator("#country-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#country")).ToHaveAttributeAsync("aria-invalid", "true");
        await visit.CheckPageAsync("account-billing-error");
        await page.GetByLabel("Country code").FillAsync("NL");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save billing details" }).ClickAsync();
        await Expect(page.Locator("#profile-alert")).ToContainTextAsync("Saved. Invoices from now on are made out to Portal Customer B.V.");
        await Expect(page.Locator("#country-error")).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Company")).ToHaveValueAsync("Portal Customer B.V.");

        // API keys: shown once with a copy button, listed by prefix, revoked.
        await page.GetByRole(AriaRole.Button, new() { Name = "Create an API key" }).ClickAsync();
        var key = await page.Locator("#new-key-value").TextContentAsync();
        Assert.False(string.IsNullOrEmpty(key));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy the new API key" })).ToBeVisibleAsync();
        var prefix = key![..8];
        await Expect(page.Locator("#keys")).ToContainTextAsync(prefix);
        // Shown once: a reload lists the key but no longer shows it.
        await page.ReloadAsync();
        await Expect(page.Locator("#keys")).ToContainTextAsync(prefix);
        await Expect(page.Locator("#new-key-value")).ToHaveCountAsync(0);
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);
        // Sign-up made a key too (for scripts): only the new one is revoked.
        var row = page.Locator("#keys tbody tr", new() { HasText = prefix });
        await row.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Revoke key ") }).ClickAsync();
        await Expect(page.Locator("#keys-alert")).ToContainTextAsync("is revoked");
        await Expect(row).ToContainTextAsync("Revoked");
        await Expect(page.Locator("#keys tbody tr", new() { HasText = "Revoked" })).ToHaveCountAsync(1);

        // Change password: a wrong current password is named next to its field; then the change keeps this tab logged in.
        await page.GetByLabel("Current password").FillAsync("not my password at all");
        await page.GetByLabel("New password").FillAsync(NewPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.Locator("#currentPassword-error")).ToContainTextAsync("currentPassword is wrong");
        await page.GetByLabel("Current password").FillAsync(PortalVisit.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.Locator("#password-alert")).ToContainTextAsync("Your password is changed");
        await Expect(page.Locator("#currentPassword-error")).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Expect(page.Locator("#me")).ToContainTextAsync("Portal Customer");

        // Back and forward: the page reads the API again and shows the same state.
        await page.GetByRole(AriaRole.Link, new() { Name = "Invoices" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/invoices$"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "your account" })).ToBeVisibleAsync();
        await page.GoBackAsync();
        await page.WaitForURLAsync(new Regex("/account$"));
        await Expect(card).ToHaveTextAsync("Visa ending in 4242, expires 12/2034.");
        await Expect(page.GetByLabel("Company")).ToHaveValueAsync("Portal Customer B.V.");

        // A phone: nothing scrolls sideways (the new key and the key table included).
        await page.GetByRole(AriaRole.Button, new() { Name = "Create an API key" }).ClickAsync();
        await Expect(page.Locator("#new-key-value")).ToBeVisibleAsync();
        await page.SetViewportSizeAsync(390, 844);
        await visit.AssertNoSidewaysScrollAsync("account at 390 px");
        await visit.CheckPageAsync("account-phone");
        await page.SetViewportSizeAsync(1280, 900);

        // Change card: Stripe's page, then back on the account page with the new card.
        await page.GetByRole(AriaRole.Button, new() { Name = "Change card" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Save your card" })).ToBeVisibleAsync();
        await page.GetByLabel("Card number").FillAsync("5555 5555 5555 4444");
        await page.GetByLabel("Expiry (MM / YY)").FillAsync("12 / 34");
        await page.GetByLabel("CVC").FillAsync("123");
        await page.GetByLabel("Name on card").FillAsync("Portal Customer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save card" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/account\\?card=updated$"));
        await Expect(page.Locator("#account-alert")).ToContainTextAsync("Your new card is saved");
        await Expect(card).ToHaveTextAsync("Mastercard ending in 4444, expires 12/2034.");

        // Log out everywhere: this tab goes to the start, and its old token no longer opens anything.
        var token = await page.EvaluateAsync<string>("Portal.session().accessToken");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out everywhere" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/$"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Log in" })).ToBeVisibleAsync();
        // The gateway's credential cache learns of it within ApiKeysApi.RevocationDelay (30 s).
        var status = 200;
        var until = DateTime.UtcNow.AddSeconds(90);
        while (status != 401 && DateTime.UtcNow < until)
        {
            status = await page.EvaluateAsync<int>($"fetch('/api/me', {{ headers: {{ Authorization: 'Bearer {token}' }} }}).then(r => r.status)");
            if (status != 401) await Task.Delay(1000);
        }
        Assert.Equal(401, status);

        // The new password is the one that logs in.
        await visit.LogInAsync(email, NewPassword);
        await page.GotoAsync("/account");
        await Expect(page.Locator("#me")).ToContainTextAsync(email);
    }
}
