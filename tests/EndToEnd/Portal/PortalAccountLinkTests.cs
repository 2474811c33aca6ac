using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MimeKit;
using ProMTA.TestKit;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace ProMTA.EndToEnd.Portal;

/// <summary>
/// Forgot password and e-mail verification in Debian's chromium: the links arrive by real mail (Ordering's smarthost
/// in this run is postfix's smtp-sink) and are opened in the browser as a customer would click them.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PortalAccountLinkTests(PlatformFixture platform, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string NewPassword = "chosen from the mail 1";

    [Fact]
    public async Task A_new_customer_confirms_the_address_from_the_mail_and_the_account_page_stops_asking()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "verify-email");
        var page = visit.Page;
        var email = $"verify-{Guid.NewGuid():N}@example.test";
        await visit.SignUpAsync(email);
        await page.GotoAsync("/account");
        await Expect(page.Locator("#verify")).ToBeVisibleAsync();
        await Expect(page.Locator("#verify")).ToContainTextAsync("not confirmed yet");

        var link = await LinkAsync(email, "Confirm your e-mail address for ProMTA", "/verify-email");
        await page.GotoAsync(link);
        await Expect(page.Locator("#verify-status")).ToContainTextAsync("your e-mail address is confirmed");
        // The token left the address bar (and so the history) once read.
        Assert.DoesNotContain("token", page.Url, StringComparison.Ordinal);
        await visit.CheckPageAsync("verify-email-done");
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to your account" }).ClickAsync();
        await Expect(page.Locator("#me")).ToContainTextAsync(email);
        await Expect(page.Locator("#verify")).ToBeHiddenAsync();

        // The same link again: used, said in words.
        await page.GotoAsync(link);
        await Expect(page.Locator("#verify-status")).ToContainTextAsync("not valid any more");
    }

    [Fact]
    public async Task A_customer_who_forgot_the_password_chooses_a_new_one_from_the_mailed_link_once()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "forgot-password");
        var page = visit.Page;
        var email = $"forgot-{Guid.NewGuid():N}@example.test";
        await visit.SignUpAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();

        await page.GotoAsync("/login");
        await page.GetByRole(AriaRole.Link, new() { Name = "Forgot your password?" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Forgot your password?" })).ToBeVisibleAsync();
        await visit.CheckPageAsync("forgot-password");
        await page.GetByLabel("Email").FillAsync("not an address");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mail me a link" }).ClickAsync();
        await Expect(page.Locator("#email-error")).ToBeVisibleAsync();
        await visit.CheckPageAsync("forgot-password-error");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Mail me a link" }).ClickAsync();
        await Expect(page.Locator("#form-error")).ToContainTextAsync("If an account uses this address");

        var link = await LinkAsync(email, "Choose a new ProMTA password", "/reset-password");
        await page.GotoAsync(link);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Choose a new password" })).ToBeVisibleAsync();
        Assert.DoesNotContain("token", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("New password").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the new password" }).ClickAsync();
        await Expect(page.Locator("#newPassword-error")).ToBeVisibleAsync();
        await visit.CheckPageAsync("reset-password-error");
        await page.GetByLabel("New password").FillAsync(NewPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the new password" }).ClickAsync();
        await Expect(page.Locator("#form-error")).ToContainTextAsync("Your password is changed");
        await visit.CheckPageAsync("reset-password-done");

        await page.GetByRole(AriaRole.Link, new() { Name = "Log in with the new password" }).ClickAsync();
        await visit.LogInAsync(email, NewPassword);

        // The link works once.
        await page.GotoAsync(link);
        await page.GetByLabel("New password").FillAsync("yet another password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the new password" }).ClickAsync();
        await Expect(page.Locator("#form-error")).ToContainTextAsync("not valid any more");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Ask for a new link" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_link_pages_fit_a_phone_and_pass_axe()
    {
        await using var visit = await PortalVisit.OpenAsync(browser, platform, "account-links-phone", new ViewportSize { Width = 390, Height = 844 });
        var page = visit.Page;
        foreach (var path in new[] { "/forgot-password", "/reset-password", "/verify-email" })
        {
            await page.GotoAsync(path);
            await Expect(page.Locator("h1")).ToBeVisibleAsync();
            await visit.CheckPageAsync("phone" + path.Replace('/', '-'));
            await visit.AssertNoSidewaysScrollAsync(path + " at 390 px");
        }
        // Opened without the mail's link, the reset page says what it needs instead of showing a form that cannot work.
        await page.GotoAsync("/reset-password");
        await Expect(page.Locator("#form-error")).ToContainTextAsync("needs the link from the e-mail");
    }

    /// <summary>The link in the newest mail with <paramref name="subject"/> to <paramref name="to"/>, waiting for Ordering's mailer.</summary>
    private async Task<string> LinkAsync(string to, string subject, string page)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var mail = platform.AccountMail.Messages()
                .Where(m => m.Contains($"X-Rcpt-Args: <{to}>", StringComparison.Ordinal))
                .Select(m => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m))))
                .Where(m => m.Subject == subject).OrderByDescending(m => m.Date).FirstOrDefault();
            var match = mail is null ? Match.Empty : Regex.Match(mail.TextBody ?? "", $@"https?://\S+{page}#token=[A-Za-z0-9_-]+");
            if (match.Success) return match.Value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no '{subject}' mail to {to} with a {page} link");
            await Task.Delay(500);
        }
    }
}
