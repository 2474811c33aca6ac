using System.Globalization;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace ProMTA.EndToEnd.Portal;

/// <summary>The customer portal in a real browser (Debian's chromium through Playwright) against the whole stack.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PortalTests(PlatformFixture platform, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_visitor_reads_pricing_signs_up_pays_on_Stripes_page_and_watches_the_service_go_live()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "visitor");
        var page = visit.Page;

        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "ProMTA Starter" })).ToBeVisibleAsync();
        await Expect(page.GetByText("Unlimited emails, no contracts, cancel monthly.", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByText("1 working day", new() { Exact = true })).ToBeVisibleAsync();
        await visit.CheckPageAsync("pricing");

        await page.GetByRole(AriaRole.Link, new() { Name = "Order ProMTA Starter" }).ClickAsync();
        await page.WaitForURLAsync("**/login?next=*");
        await visit.CheckPageAsync("login");
        await page.GetByRole(AriaRole.Link, new() { Name = "Create an account" }).ClickAsync();
        await visit.CheckPageAsync("signup");
        await visit.SignUpWithKeyboardAsync($"portal-{Guid.NewGuid():N}@example.test");
        await page.WaitForURLAsync("**/order?product=promta-starter");
        await Expect(page.GetByLabel("ProMTA Starter", new() { Exact = false })).ToBeCheckedAsync();

        await visit.OrderAsync("ProMTA Starter", "4242 4242 4242 4242", sendingDomain: $"m{Guid.NewGuid():N}"[..12] + ".example.test", checkPages: true);
        await visit.WaitForOrderStatusAsync("Active");
        foreach (var step in new[] { "Placed", "Paid", "Provisioned", "ReverseDnsRequested", "Active" })
        {
            await Expect(page.Locator($"ol.timeline li[data-status='{step}']").First).ToBeVisibleAsync();
        }
        await Expect(page.Locator("#order-alert")).ToContainTextAsync("Your service is live");
        await visit.CheckPageAsync("order-live");

        await page.GetByRole(AriaRole.Link, new() { Name = "Open the service" }).ClickAsync();
        await Expect(page.Locator("#service-status")).ToHaveTextAsync("Live");
        await Expect(page.Locator("#paid-through")).Not.ToHaveTextAsync("Not yet paid");
        await Expect(page.Locator("#dns table")).ToBeVisibleAsync();
        await Expect(page.Locator("#chart svg[role='img']")).ToBeVisibleAsync();
        await Expect(page.Locator("#chart .axis-rate").First).ToHaveTextAsync("100 %"); // the rate's own axis
        await page.GetByRole(AriaRole.Button, new() { Name = "Create a new SMTP password" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Replace the password now" }).ClickAsync();
        await Expect(page.Locator("#smtp-password")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(".{16,}"));
        await page.GetByLabel("Unmanaged: no throttling", new() { Exact = false }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save relay mode" }).ClickAsync();
        await Expect(page.Locator("#relay-result")).ToContainTextAsync("Relay mode is now unmanaged");
        await visit.CheckPageAsync("service");

        await page.GetByRole(AriaRole.Link, new() { Name = "Invoices" }).ClickAsync();
        await Expect(page.Locator("#invoices tbody tr").First).ToContainTextAsync("Paid");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#invoices tbody button").First.ClickAsync());
        Assert.EndsWith(".pdf", download.SuggestedFilename);
        await visit.CheckPageAsync("invoices");

        // The same pages on a phone-sized screen.
        await using var phone = await PortalVisit.OpenAsync(browser, platform, "phone", new ViewportSize { Width = 390, Height = 844 });
        await phone.Page.GotoAsync("/");
        await Expect(phone.Page.GetByRole(AriaRole.Heading, new() { Name = "ProMTA Starter" })).ToBeVisibleAsync();
        Assert.True(await phone.Page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the pricing page scrolls sideways on a phone");
        await phone.CheckPageAsync("pricing");
    }

    [Fact]
    public async Task A_declined_card_shows_a_clear_message()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "declined");
        await visit.NewCustomerOrdersAsync("4000000000000002");

        await visit.WaitForOrderStatusAsync("PaymentFailed");
        var alert = visit.Page.Locator("#order-alert");
        await Expect(alert).ToContainTextAsync("Payment failed: Your card was declined.");
        await Expect(alert).ToContainTextAsync("Nothing was charged");
        await Expect(alert.GetByRole(AriaRole.Link, new() { Name = "Order again" })).ToBeVisibleAsync();
        await visit.CheckPageAsync("order-declined");
    }

    [Fact]
    public async Task Cancelling_states_the_end_of_the_paid_period_before_and_after()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "cancel");
        await visit.NewCustomerOrdersAsync("4242424242424242");
        await visit.WaitForOrderStatusAsync("Active");
        await visit.Page.GetByRole(AriaRole.Link, new() { Name = "Open the service" }).ClickAsync();

        // Rule 11: ordered today, cancelled long before the deadline of the next period: it ends with the first month.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
        var orderedOn = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime);
        var endsOn = orderedOn.AddMonths(1).AddDays(-1).ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
        var cancel = visit.Page.GetByRole(AriaRole.Button, new() { Name = $"Cancel this service (ends {endsOn}, no further charge)" });
        await Expect(cancel).ToBeVisibleAsync();
        await Expect(visit.Page.Locator("#cancel-summary")).ToContainTextAsync($"If you cancel now, the service ends on {endsOn}. You are not charged again.");
        await visit.CheckPageAsync("service-before-cancel");

        // Issue 18, defect 3: one state at a time, and nothing is cancelled by one click.
        var takeBack = visit.Page.GetByRole(AriaRole.Button, new() { Name = "Take the cancellation back" });
        await Expect(takeBack).ToBeHiddenAsync();
        await Expect(visit.Page.Locator("#ends-on")).ToHaveTextAsync("Not cancelled: renews monthly");

        await cancel.ClickAsync();
        var confirm = visit.Page.Locator("#cancel-confirm");
        await Expect(confirm).ToContainTextAsync($"It keeps running until {endsOn} and then ends.");
        await Expect(confirm).ToContainTextAsync("the deadline is ");
        await Expect(cancel).ToBeHiddenAsync();
        await visit.Page.GetByRole(AriaRole.Button, new() { Name = "No, keep the service" }).ClickAsync();
        await Expect(confirm).ToBeHiddenAsync();
        await Expect(takeBack).ToBeHiddenAsync();
        await cancel.ClickAsync();
        await visit.Page.GetByRole(AriaRole.Button, new() { Name = "Yes, cancel the service" }).ClickAsync();

        await Expect(visit.Page.Locator("#cancel-result")).ToHaveTextAsync($"Cancelled. Your service ends on {endsOn} and is not charged again.");
        await Expect(visit.Page.Locator("#cancel-summary")).ToContainTextAsync($"The service ends on {endsOn} and is not charged again.");
        await Expect(takeBack).ToBeVisibleAsync();
        await Expect(visit.Page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Cancel this service") })).ToBeHiddenAsync();
        await Expect(confirm).ToBeHiddenAsync();
        await Expect(visit.Page.Locator("#ends-on")).ToHaveTextAsync($"{endsOn} (cancelled)"); // without a reload
        await visit.CheckPageAsync("service-cancelled");
    }

    [Fact]
    public async Task A_staff_user_approves_a_special_requirements_order()
    {
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var orderId = await ReviewTests.PlaceSpecialOrderAsync(customer); // "We need the server in Frankfurt and 500 IPs."
        await customer.WaitForOrderStatusAsync(orderId, "InReview", PortalVisit.LiveTimeout);

        await using var visit = await PortalVisit.OpenAsync(browser, platform, "staff");
        var page = visit.Page;
        await visit.LogInAsync(platform.Operator.Email, platform.Operator.Password);
        await page.WaitForURLAsync("**/staff");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Account management" })).ToBeVisibleAsync();

        var review = page.Locator("article", new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = $"promta-business for {customer.Email}" }) });
        await Expect(review).ToContainTextAsync("We need the server in Frankfurt and 500 IPs.");
        await visit.CheckPageAsync("staff");
        await review.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();

        await Expect(page.Locator("#staff-alert")).ToHaveTextAsync($"Order for {customer.Email} accepted.");
        await Expect(review).ToHaveCountAsync(0);
        await customer.WaitForOrderStatusAsync(orderId, "Active", PortalVisit.LiveTimeout);
    }
}
