using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace ProMTA.EndToEnd.Portal;

/// <summary>Issue 17, consolidated billing in the portal: a customer with two services, allowed to pay by transfer, picks one billing day on /account.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PortalBillingDayTests(PlatformFixture platform, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    [Fact]
    public async Task A_transfer_customer_previews_and_chooses_one_billing_day_and_a_bad_day_is_named_next_to_its_field()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "billing-day");
        var page = visit.Page;
        var email = $"portal-{Guid.NewGuid():N}@example.test";
        await visit.SignUpAsync(email);
        await page.GotoAsync("/account");
        await Expect(page.Locator("#billing-day-state")).ToContainTextAsync("rule 8");
        await Expect(page.Locator("#billing-day")).ToBeHiddenAsync();

        foreach (var _ in new[] { 1, 2 })
        {
            await page.GotoAsync("/order?product=promta-starter");
            await visit.OrderAsync("ProMTA Starter", "4242424242424242");
        }
        // The account manager allows bank transfer once Billing counts both services (409 until both are paid).
        var customerId = await platform.CustomerIdAsync(email);
        var deadline = DateTime.UtcNow + PortalVisit.LiveTimeout;
        while (true)
        {
            using var approved = await platform.SendAsStaffAsync(HttpMethod.Post, $"/api/admin/customers/{customerId}/bank-transfer", new { reason = "portal test" });
            if (approved.StatusCode == HttpStatusCode.NoContent) break;
            Assert.True(approved.StatusCode == HttpStatusCode.Conflict && DateTime.UtcNow < deadline, $"approval answered {(int)approved.StatusCode}");
            await Task.Delay(500);
        }

        await page.GotoAsync("/account");
        await Expect(page.Locator("#billing-day-state")).ToContainTextAsync("You pay by bank transfer");
        var day = page.GetByLabel("Day of the month");
        await day.FillAsync("29");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show what changes" }).ClickAsync();
        await Expect(page.Locator("#day-error")).ToContainTextAsync("1 to 28");
        await Expect(day).ToHaveAttributeAsync("aria-invalid", "true");

        var chosen = Math.Min(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Amsterdam).DateTime).Day, 28);
        await day.FillAsync(chosen.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Show what changes" }).ClickAsync();
        await Expect(page.Locator("#billing-day-preview li")).ToHaveCountAsync(2);
        await Expect(page.Locator("#billing-day-preview")).ToContainTextAsync("ProMTA Starter");
        await visit.CheckPageAsync("account-billing-day");
        await page.GetByRole(AriaRole.Button, new() { Name = "Choose this day" }).ClickAsync();
        await Expect(page.Locator("#billing-day-alert")).ToContainTextAsync($"Saved: your services renew on day {chosen}.");

        await page.ReloadAsync();
        await Expect(page.Locator("#billing-day-state")).ToContainTextAsync($"Your services renew on day {chosen} of each month");
        await Expect(page.Locator("#billing-day-services li")).ToHaveCountAsync(2);
        await Expect(page.Locator("#billing-day")).ToBeHiddenAsync();
        await visit.CheckPageAsync("account-billing-day-chosen");
        await visit.AssertNoSidewaysScrollAsync("account with a billing day at 1280 px");
        Assert.DoesNotMatch(new Regex("error", RegexOptions.IgnoreCase), string.Join("\n", visit.BrowserLog.Where(l => l.Contains("billing-day", StringComparison.Ordinal))));
    }
}
