using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace ProMTA.EndToEnd.Portal;

/// <summary>Issue 17: "Change plan" on the service page in a real browser: the preview states what is charged now and per month, then the change is made.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PortalPlanChangeTests(PlatformFixture platform, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_service_page_previews_an_upgrade_with_the_amount_now_and_the_new_monthly_price_then_makes_it()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "plan-change");
        var page = visit.Page;
        await visit.NewCustomerOrdersAsync("4242424242424242");
        await visit.WaitForOrderStatusAsync("Active");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open the service" }).ClickAsync();

        var plan = page.GetByLabel("Plan", new() { Exact = true });
        await Expect(plan.Locator("option[value='promta-business']")).ToHaveCountAsync(1);
        await plan.SelectOptionAsync("promta-business");
        var confirm = page.Locator("#plan-confirm");
        // Billing hears that the service is live a moment after Ordering does: until then the preview says so.
        for (var attempt = 0; attempt < 60 && !await confirm.IsVisibleAsync(); attempt++)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Change plan", Exact = true }).ClickAsync();
            await page.WaitForTimeoutAsync(500);
        }
        await Expect(confirm).ToContainTextAsync("Upgrade to ProMTA Business today:");
        await Expect(confirm).ToContainTextAsync("charged now to your card (VAT included)");
        await Expect(confirm).ToContainTextAsync("€482.79 a month (VAT included)");
        await visit.CheckPageAsync("plan-change-preview");

        await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Upgrade and pay €") }).ClickAsync();
        await Expect(page.Locator("#plan-result")).ToContainTextAsync("Done: the service runs on ProMTA Business. Invoice ");
        await Expect(confirm).ToBeHiddenAsync();
        await Expect(plan.Locator("option[value='promta-business']")).ToContainTextAsync("(current)");
        await visit.CheckPageAsync("plan-changed");
    }
}
