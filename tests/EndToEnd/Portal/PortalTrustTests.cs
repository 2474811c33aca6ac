using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace ProMTA.EndToEnd.Portal;

/// <summary>Issue 18: the portal a paying customer can trust, one test per defect, in Debian's chromium.</summary>
[Collection(PlatformCollection.Name)]
public sealed partial class PortalTrustTests(PlatformFixture platform, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Back_after_paying_leads_to_the_same_order_and_never_to_a_second_payment()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "back-after-paying");
        var page = visit.Page;
        await visit.NewCustomerOrdersAsync("4242424242424242");
        var orderUrl = page.Url;

        // Back shows Stripe's page of the completed payment; a customer who saves the card again lands on the same order.
        await page.GoBackAsync();
        if (await page.GetByRole(AriaRole.Button, new() { Name = "Save card" }).IsVisibleAsync())
        {
            await page.GetByLabel("Card number").FillAsync("4242 4242 4242 4242");
            await page.GetByLabel("Expiry (MM / YY)").FillAsync("12 / 34");
            await page.GetByLabel("CVC").FillAsync("123");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save card" }).ClickAsync();
            await page.WaitForURLAsync(orderUrl);
            await page.GoBackAsync();
        }
        // Further back, the order form of a completed checkout goes to the order's status too.
        await page.GoBackAsync();
        await page.WaitForURLAsync(orderUrl);
        await Expect(page.Locator("#order-status")).Not.ToHaveTextAsync("Loading…");
        await Expect(page.GetByText("could not be completed")).ToHaveCountAsync(0);

        // Stripe's form restored from the browser's cache and saved again sends the browser back to the return page with
        // the same session (headless Chromium re-fetches the page instead, where the emulator says it is complete).
        var sessionId = await page.EvaluateAsync<string>("sessionStorage.getItem('promta.checkout.last')");
        await page.GotoAsync("/checkout/done?session_id=" + Uri.EscapeDataString(sessionId));
        await page.WaitForURLAsync(orderUrl);
        await Expect(page.Locator("#order-status")).Not.ToHaveTextAsync("Loading…");

        var orders = await page.EvaluateAsync<int>("Portal.api('GET', '/api/orders').then(r => r.data.items.length)");
        Assert.Equal(1, orders);
    }

    [Fact]
    public async Task A_payment_the_bank_must_confirm_waits_for_the_bank_and_its_link_is_gone_once_paid()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "3ds");
        var page = visit.Page;
        await visit.NewCustomerOrdersAsync("4000002760003184");

        await visit.WaitForOrderStatusAsync("PaymentFailed");
        await Expect(page.Locator("#order-status")).ToHaveTextAsync("Waiting for your bank");
        await Expect(page.Locator("#order-status")).Not.ToHaveClassAsync(new Regex(@"\bbad\b"));
        var alert = page.Locator("#order-alert");
        await Expect(alert).ToContainTextAsync("Waiting for your bank");
        await Expect(alert).Not.ToContainTextAsync("Payment failed");
        await Expect(page.Locator("ol.timeline")).Not.ToContainTextAsync("Payment failed");
        await visit.CheckPageAsync("order-awaiting-bank");

        await alert.GetByRole(AriaRole.Link, new() { Name = "Confirm the payment with your bank" }).ClickAsync();

        await page.WaitForURLAsync(new Regex("/orders/[0-9a-f-]{36}\\?"));
        await visit.WaitForOrderStatusAsync("Active");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Confirm the payment with your bank" })).ToHaveCountAsync(0);
        await Expect(page.Locator("ol.timeline a")).ToHaveCountAsync(0);
        await Expect(alert).ToContainTextAsync("Your service is live");
    }

    [Fact]
    public async Task The_portal_asks_who_the_customer_is_and_calls_no_staff_route()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "who-am-i");
        var email = $"portal-{Guid.NewGuid():N}@example.test";
        await visit.SignUpAsync(email);
        await visit.LogInAsync(email, PortalVisit.Password);

        await Expect(visit.Page.GetByRole(AriaRole.Link, new() { Name = "Services" })).ToBeVisibleAsync();
        await Expect(visit.Page.GetByRole(AriaRole.Link, new() { Name = "Account management" })).ToBeHiddenAsync();
        Assert.DoesNotContain(visit.BrowserLog, line => line.Contains("/api/admin/", StringComparison.Ordinal) || line.Contains(" 403 ", StringComparison.Ordinal));
        Assert.Equal("customer", await visit.Page.EvaluateAsync<string>("Portal.session().role"));
    }

    [Fact]
    public async Task The_services_list_names_plans_fits_a_laptop_and_a_phone_and_leaves_a_declined_order_out()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "services-list", timeZone: "America/New_York");
        var page = visit.Page;
        await visit.NewCustomerOrdersAsync("4242424242424242");
        await visit.WaitForOrderStatusAsync("Active");
        await Expect(page.Locator("#order-plan")).ToHaveTextAsync("ProMTA Starter");
        await page.GotoAsync("/order?product=promta-starter");
        await visit.OrderAsync("ProMTA Starter", "4000000000000002");
        await visit.WaitForOrderStatusAsync("PaymentFailed");
        await Expect(page.Locator("#order-alert")).ToContainTextAsync("Payment failed: Your card was declined.");
        await Expect(page.Locator("main")).Not.ToContainTextAsync(DeclineCode());

        // The declined order never created a service (issue 17: no invoice, no service): only the live one is listed.
        await page.GotoAsync("/services");
        var cards = page.Locator("article.service-card");
        await Expect(cards.Filter(new() { HasText = "Live" })).ToHaveCountAsync(1);
        await Expect(cards).ToHaveCountAsync(1);
        await Expect(page.Locator("main")).Not.ToContainTextAsync("promta-starter");
        await Expect(page.Locator("main")).Not.ToContainTextAsync("Pending");
        await visit.AssertNoSidewaysScrollAsync("services at 1280 px");
        await visit.CheckPageAsync("services");

        await page.SetViewportSizeAsync(390, 844);
        await visit.AssertNoSidewaysScrollAsync("services at 390 px");
        await cards.Filter(new() { HasText = "Live" }).GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.Locator("#service-status")).ToHaveTextAsync("Live");
        await Expect(page.Locator("#dns table")).ToBeVisibleAsync();
        await visit.AssertNoSidewaysScrollAsync("service at 390 px");
        await visit.CheckPageAsync("service-phone");
    }

    [Fact]
    public async Task Every_state_reads_as_a_sentence_with_times_in_the_browsers_zone()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "wording", timeZone: "America/New_York");
        var page = visit.Page;
        await visit.SignUpAsync($"portal-{Guid.NewGuid():N}@example.test");
        await page.GotoAsync("/order?product=promta-starter");
        await visit.OrderAsync("ProMTA Starter", "4242424242424242", sendingDomain: $"w{Guid.NewGuid():N}"[..12] + ".example.test");
        await visit.WaitForOrderStatusAsync("Active");

        var timeline = page.Locator("ol.timeline");
        await Expect(page.Locator("#order-status")).ToHaveTextAsync("Live");
        await Expect(timeline).Not.ToContainTextAsync("ReverseDnsRequested");
        await Expect(timeline).Not.ToContainTextAsync("PaymentFailed");
        await Expect(timeline).ToContainTextAsync(NewYorkZone());

        await page.GetByRole(AriaRole.Link, new() { Name = "Open the service" }).ClickAsync();
        await Expect(page.Locator("#service-status")).ToHaveTextAsync("Live");
        await Expect(page.Locator("#service-plan")).ToHaveTextAsync("ProMTA Starter");
        await Expect(page.Locator("#live-since")).ToContainTextAsync(NewYorkZone());
        await Expect(page.Locator("#setup-deadline")).ToHaveCountAsync(0); // it went live: the deadline is history
        await Expect(page.Locator("#dns table")).ToBeVisibleAsync();
        await Expect(page.Locator("#nameservers")).Not.ToHaveTextAsync(new Regex(@"\.$|\.,"));
        await Expect(page.Locator("#dns")).Not.ToContainTextAsync("..");

        // Copy buttons for what the customer pastes into a mail client or a registrar.
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        var copy = page.GetByRole(AriaRole.Button, new() { Name = "Copy the SMTP username" });
        await copy.ClickAsync();
        await Expect(copy).ToHaveTextAsync("Copied");
        Assert.StartsWith("svc-", await page.EvaluateAsync<string>("navigator.clipboard.readText()"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy the A record's value" }).First).ToBeVisibleAsync();
    }

    // en-GB names New York's zone by its offset: GMT-5 in winter, GMT-4 in summer.
    [GeneratedRegex(@"GMT-[45](?!\d)")]
    private static partial Regex NewYorkZone();

    [GeneratedRegex(@"\([a-z]+_[a-z_]+\)")]
    private static partial Regex DeclineCode();
}
