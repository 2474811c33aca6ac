using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace ProMTA.EndToEnd.Portal;

/// <summary>
/// Every portal page, as a customer with a live order (and a team invitation waiting) and as an operator, at 1280x800 and at a phone's 390 px: axe
/// finds no serious or critical violation and no page scrolls sideways. The screenshots it takes
/// (TestResults/screenshots/every-page-*) are what tools/scripts/portal-screenshots.sh copies to docs/images.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PortalEveryPageTests(PlatformFixture platform, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    public const string Scenario = "every-page";
    private static readonly ViewportSize[] Widths = [new() { Width = 1280, Height = 800 }, new() { Width = 390, Height = 844 }];

    [Fact]
    public async Task Every_page_passes_axe_and_fits_a_laptop_and_a_phone_without_sideways_scrolling()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, Scenario, Widths[0]);
        var page = visit.Page;
        var email = $"every-page-{Guid.NewGuid():N}@example.test";
        await visit.SignUpAsync(email);
        await page.GotoAsync("/order?product=promta-starter");
        await visit.OrderAsync("ProMTA Starter", "4242424242424242");
        var orderPath = new Uri(page.Url).AbsolutePath;
        // The service page is most telling once the service is live (timeline, SMTP settings, DNS, delivery).
        await visit.WaitForOrderStatusAsync("Active");
        await page.GotoAsync("/services");
        await page.Locator("a[href^='/services/']").First.ClickAsync();
        await page.WaitForURLAsync(new Regex("/services/[0-9a-f-]{36}$"));
        var servicePath = new Uri(page.Url).AbsolutePath;
        await page.GotoAsync("/invoices");
        await Expect(page.Locator("#invoices")).Not.ToContainTextAsync("Loading");
        // The team page with a row in each of its tables (members, invitations, history).
        await page.GotoAsync("/account/team");
        await page.GetByLabel("E-mail address").FillAsync($"colleague-{Guid.NewGuid():N}@example.test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the invitation" }).ClickAsync();
        await Expect(page.Locator("#invitations tr[data-invitation]")).ToHaveCountAsync(1);

        (string Name, string Path)[] customerPages =
        [
            ("pricing", "/"), ("demo", "/demo"), ("contact", "/contact"), ("terms", "/terms"), ("privacy", "/privacy"),
            ("login", "/login"), ("signup", "/signup"), ("forgot-password", "/forgot-password"), ("reset-password", "/reset-password"),
            ("verify-email", "/verify-email"), ("order", "/order?product=promta-starter"), ("order-status", orderPath),
            ("services", "/services"), ("service", servicePath), ("invoices", "/invoices"), ("account", "/account"),
            ("team", "/account/team"), ("team-join", "/team/join"),
        ];
        // The phone walks the same pages in a second browser context, logged in as the same customer, while the laptop
        // walks them: axe and the screenshots are most of this test's time, and each page runs on a core of its own.
        await using var phone = await PortalVisit.OpenAsync(browser, platform, Scenario, Widths[1]);
        await phone.LogInAsync(email, PortalVisit.Password);
        await Task.WhenAll(CheckAllAsync(visit, customerPages), CheckAllAsync(phone, customerPages));

        var customerId = await platform.CustomerIdAsync(email);
        (string Name, string Path)[] staffPages =
            [("staff", "/staff"), ("staff-customer", $"/staff/customers/{customerId}"), ("staff-operations", "/staff/operations")];
        await Task.WhenAll(Widths.Select(async size =>
        {
            await using var staff = await PortalVisit.OpenAsync(browser, platform, Scenario, size);
            await staff.LogInAsync(platform.Operator.Email, platform.Operator.Password);
            await CheckAllAsync(staff, staffPages);
        }));
    }

    /// <summary>Each page at the visit's own viewport width.</summary>
    private static async Task CheckAllAsync(PortalVisit visit, IReadOnlyList<(string Name, string Path)> pages)
    {
        var width = visit.Page.ViewportSize!.Width;
        foreach (var (name, path) in pages)
        {
            await visit.Page.GotoAsync(path, new() { WaitUntil = WaitUntilState.NetworkIdle });
            // Nothing is still loading: every "Loading…" placeholder was replaced by what the API answered.
            await Expect(visit.Page.Locator("main")).Not.ToContainTextAsync("Loading");
            await visit.CheckPageAsync($"{name}-{width}");
            await visit.AssertNoSidewaysScrollAsync($"{name} at {width} px");
        }
    }
}
