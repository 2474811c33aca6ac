using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace ProMTA.EndToEnd.Portal;

/// <summary>
/// Issue 18's staff pages in Debian's chromium: a visitor's contact message reaches the staff page, a demo request
/// is scheduled and marked done, a customer is opened (services, orders, invoices, notes; no bank-transfer form with
/// one service) and the operator follows the order's message flow and reads the dead letters.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PortalStaffTests(PlatformFixture platform, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_contact_message_and_a_demo_request_reach_staff_who_act_on_them_and_open_a_customer_and_its_message_flow()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        await using (var visitor = await PortalVisit.OpenAsync(browser, platform, "contact"))
        {
            var page = visitor.Page;
            await page.GotoAsync("/");
            // The footer's link (the pricing FAQ has its own "Contact us" for customers without a card).
            await page.GetByRole(AriaRole.Contentinfo).GetByRole(AriaRole.Link, new() { Name = "Contact us" }).ClickAsync();
            await page.GetByLabel("Your name").FillAsync($"Visitor {marker}");
            await page.GetByLabel("Email").FillAsync("not an address");
            await page.GetByLabel("About").SelectOptionAsync("no-card");
            await page.GetByLabel("Message").FillAsync($"We pay by bank transfer only ({marker}).\nTwo servers, please.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Send the message" }).ClickAsync();
            await Expect(page.Locator("#email-error")).ToBeVisibleAsync();
            await visitor.CheckPageAsync("contact-error");
            await page.GetByLabel("Email").FillAsync($"visitor-{marker}@example.test");
            await page.GetByRole(AriaRole.Button, new() { Name = "Send the message" }).ClickAsync();
            await Expect(page.Locator("#form-error")).ToContainTextAsync("your message reached our team");
        }
        using (var demo = await platform.Gateway.PostAsJsonAsync("/api/demo-requests",
            new { name = $"Prospect {marker}", email = $"prospect-{marker}@example.test", preferredTimes = new[] { "Monday 10:00 (Europe/Amsterdam)" } }))
        {
            Assert.Equal(HttpStatusCode.Created, demo.StatusCode);
        }
        var customer = await Customer.SignUpAsync(platform.Gateway);
        var (orderId, _, _) = await customer.PlaceCardOrderAsync();
        var customerId = await platform.CustomerIdAsync(customer.Email);

        await using var visit = await PortalVisit.OpenAsync(browser, platform, "staff-pages");
        var staff = visit.Page;
        await visit.LogInAsync(platform.Operator.Email, platform.Operator.Password);
        await staff.WaitForURLAsync("**/staff");

        var message = staff.Locator("#contacts article", new() { HasText = marker });
        await Expect(message).ToContainTextAsync("No credit card");
        await Expect(message).ToContainTextAsync("Two servers, please.");
        await visit.CheckPageAsync("staff");
        await message.GetByRole(AriaRole.Button, new() { Name = $"Mark answered (message of Visitor {marker})" }).ClickAsync();
        await Expect(message).ToContainTextAsync("Answered");

        var request = staff.Locator("#demos tr", new() { HasText = $"Prospect {marker}" });
        var at = DateTime.Now.AddDays(3).Date.AddHours(10);
        await request.GetByLabel($"Demo time for Prospect {marker}").FillAsync(at.ToString("yyyy-MM-ddTHH:mm"));
        await request.GetByRole(AriaRole.Button, new() { Name = "Schedule" }).ClickAsync();
        await Expect(staff.Locator("#staff-alert")).ToContainTextAsync($"Demo with Prospect {marker} scheduled for");
        await Expect(request).ToContainTextAsync("Scheduled for");
        await request.GetByRole(AriaRole.Button, new() { Name = $"Mark done (demo request of Prospect {marker})" }).ClickAsync();
        await Expect(request.Locator("[data-status]")).ToHaveTextAsync("Done");
        await Expect(request.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);

        await staff.GotoAsync($"/staff/customers/{customerId}");
        await Expect(staff.GetByRole(AriaRole.Heading, new() { Name = "E2E Customer" })).ToBeVisibleAsync();
        await Expect(staff.Locator("#profile")).ToContainTextAsync(customer.Email);
        await Expect(staff.Locator("#orders")).ToContainTextAsync("ProMTA Starter");
        await Expect(staff.Locator("#invoices table")).ToBeVisibleAsync(new() { Timeout = (float)PortalVisit.LiveTimeout.TotalMilliseconds });
        await Expect(staff.Locator("#bank-transfer")).ToContainTextAsync("needs more than one running service");
        await Expect(staff.GetByRole(AriaRole.Button, new() { Name = "Approve bank transfer" })).ToHaveCountAsync(0);
        await staff.GetByLabel("New note").FillAsync($"Phoned {marker}: happy with the setup.");
        await staff.GetByRole(AriaRole.Button, new() { Name = "Add the note" }).ClickAsync();
        await Expect(staff.Locator("#notes")).ToContainTextAsync($"Phoned {marker}: happy with the setup.");
        await staff.ReloadAsync();
        await Expect(staff.Locator("#notes")).ToContainTextAsync($"Phoned {marker}: happy with the setup.");
        await visit.CheckPageAsync("staff-customer");

        await staff.GetByRole(AriaRole.Link, new() { Name = "Message flow" }).First.ClickAsync();
        await staff.WaitForURLAsync(new Regex("/staff/operations\\?order="));
        await Expect(staff.Locator("#flow")).ToContainTextAsync("OrderPlaced");
        Assert.Contains(orderId.ToString(), staff.Url, StringComparison.Ordinal);
        await Expect(staff.Locator("#dead-letters")).Not.ToContainTextAsync("Loading");
        await visit.CheckPageAsync("staff-operations");
        await staff.GetByLabel("Order number (its id)").FillAsync("not an id");
        await staff.GetByRole(AriaRole.Button, new() { Name = "Show the flow" }).ClickAsync();
        await Expect(staff.Locator("#orderId-error")).ToBeVisibleAsync();
        await staff.GetByLabel("Order number (its id)").FillAsync(Guid.NewGuid().ToString());
        await staff.GetByRole(AriaRole.Button, new() { Name = "Show the flow" }).ClickAsync();
        await Expect(staff.Locator("#flow")).ToHaveTextAsync("No order has this id.");
    }
}
