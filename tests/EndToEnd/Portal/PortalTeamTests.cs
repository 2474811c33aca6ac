using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MimeKit;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace ProMTA.EndToEnd.Portal;

/// <summary>
/// Teams in Debian's chromium: the owner invites on /account/team, the invitation arrives by real mail (smtp-sink) and
/// is accepted on /team/join; the member's pages offer only what their role may do; the owner changes the role and
/// removes the member, whose next page sends them to log in.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PortalTeamTests(PlatformFixture platform, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task An_invited_read_only_member_joins_from_the_mail_sees_no_change_buttons_and_is_out_once_removed()
    {
        await using var owner = await PortalVisit.OpenAsync(browser, platform, "team-owner");
        var ownerPage = owner.Page;
        await owner.SignUpAsync($"team-owner-{Guid.NewGuid():N}@example.test");
        await ownerPage.GotoAsync("/account");
        await ownerPage.GetByRole(AriaRole.Link, new() { Name = "See and invite your team" }).ClickAsync();
        await Expect(ownerPage.Locator("#your-role")).ToContainTextAsync("Owner");

        var email = $"team-reader-{Guid.NewGuid():N}@example.test";
        await ownerPage.GetByLabel("E-mail address").FillAsync(email);
        await ownerPage.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("read-only");
        await ownerPage.GetByRole(AriaRole.Button, new() { Name = "Send the invitation" }).ClickAsync();
        await Expect(ownerPage.Locator("#invite-alert")).ToContainTextAsync($"An invitation is on its way to {email}");
        await Expect(ownerPage.Locator($"#invitations tr[data-invitation='{email}']")).ToContainTextAsync("Read-only");

        await using var member = await PortalVisit.OpenAsync(browser, platform, "team-member");
        var page = member.Page;
        await page.GotoAsync(await InvitationLinkAsync(email));
        Assert.DoesNotContain("token", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("Your name").FillAsync("Rita Reader");
        await page.GetByLabel("Password").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Join the team" }).ClickAsync();
        await Expect(page.Locator("#password-error")).ToBeVisibleAsync();
        await page.GetByLabel("Password").FillAsync("reader password 1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Join the team" }).ClickAsync();

        await page.WaitForURLAsync("**/account/team");
        await Expect(page.Locator("#your-role")).ToContainTextAsync("Read-only");
        await Expect(page.Locator($"#members tr[data-member='{email}']")).ToContainTextAsync("(you)");
        await Expect(page.Locator("#invite-panel")).ToBeHiddenAsync();
        await Expect(page.Locator("#members button")).ToHaveCountAsync(0);
        await member.CheckPageAsync("team-read-only");
        // The account page: their own password and keys, but not the billing details' save button nor the card.
        await page.GotoAsync("/account");
        await Expect(page.Locator("#me")).ToContainTextAsync(email);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create an API key" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save billing details" })).ToBeHiddenAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Change card" })).ToBeHiddenAsync();

        // The owner makes them billing, then removes them.
        await ownerPage.ReloadAsync();
        await ownerPage.GetByLabel($"Role of {email}").SelectOptionAsync("billing");
        await Expect(ownerPage.Locator("#team-alert")).ToContainTextAsync($"{email} is now Billing");
        // The member's open tab follows at its next page, without logging in again.
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save billing details" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Change card" })).ToBeVisibleAsync();
        ownerPage.Dialog += (_, dialog) => dialog.AcceptAsync();
        await ownerPage.GetByRole(AriaRole.Button, new() { Name = $"Remove {email}" }).ClickAsync();
        await Expect(ownerPage.Locator("#team-alert")).ToContainTextAsync($"{email} is removed");
        await Expect(ownerPage.Locator($"#members tr[data-member='{email}']")).ToHaveCountAsync(0);
        await Expect(ownerPage.Locator("#audit")).ToContainTextAsync($"removed {email}");

        // The member's open tab learns it at its next request: /account may still be loading its parts (more of them for a
        // Billing member), and a refused one sends the tab to log in while this navigation is under way; either way it
        // ends there.
        try
        {
            await page.GotoAsync("/account/team");
        }
        catch (PlaywrightException ex) when (ex.Message.Contains("interrupted by another navigation", StringComparison.Ordinal))
        {
        }
        await page.WaitForURLAsync(new Regex("/login"));
    }

    [Fact]
    public async Task A_login_joins_a_second_account_signed_in_switches_between_its_accounts_and_is_handed_one_by_its_owner()
    {
        var ownerEmail = $"team-a-{Guid.NewGuid():N}@example.test";
        var memberEmail = $"team-b-{Guid.NewGuid():N}@example.test";
        await using var owner = await PortalVisit.OpenAsync(browser, platform, "team-transfer-owner");
        var ownerPage = owner.Page;
        await owner.SignUpAsync(ownerEmail);
        // The invited address already has its own account.
        await using var member = await PortalVisit.OpenAsync(browser, platform, "team-two-accounts");
        var page = member.Page;
        await member.SignUpAsync(memberEmail);

        await ownerPage.GotoAsync("/account/team");
        await ownerPage.GetByLabel("E-mail address").FillAsync(memberEmail);
        await ownerPage.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("admin");
        await ownerPage.GetByRole(AriaRole.Button, new() { Name = "Send the invitation" }).ClickAsync();
        await Expect(ownerPage.Locator("#invite-alert")).ToContainTextAsync($"An invitation is on its way to {memberEmail}");

        // Signed in as the invited address: one click joins, and the tab then acts on the new account.
        await page.GotoAsync(await InvitationLinkAsync(memberEmail));
        await Expect(page.Locator("#signed-in-text")).ToContainTextAsync(memberEmail);
        await member.CheckPageAsync("join-signed-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Join with this login" }).ClickAsync();
        await page.WaitForURLAsync("**/account/team");
        await Expect(page.Locator("#your-role")).ToContainTextAsync("Admin");
        await Expect(page.Locator($"#members tr[data-member='{memberEmail}']")).ToContainTextAsync("(you)");
        await Expect(page.Locator($"#members tr[data-member='{ownerEmail}']")).ToBeVisibleAsync();
        await member.CheckPageAsync("team-two-accounts");

        // The switcher: back to its own account (owner there, alone), and again to the one it joined.
        await page.GetByRole(AriaRole.Button, new() { Name = $"Switch to Portal Customer ({memberEmail})" }).ClickAsync();
        await Expect(page.Locator("#your-role")).ToContainTextAsync("Owner");
        await Expect(page.Locator($"#members tr[data-member='{ownerEmail}']")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = $"Switch to Portal Customer ({ownerEmail})" }).ClickAsync();
        await Expect(page.Locator("#your-role")).ToContainTextAsync("Admin");
        await Expect(page.Locator("#transfer-panel")).ToBeHiddenAsync();

        // The owner hands the account over, confirming with their password; they stay as an admin.
        await ownerPage.ReloadAsync();
        await ownerPage.GetByLabel("New owner").SelectOptionAsync(new SelectOptionValue { Label = $"Portal Customer ({memberEmail}, Admin)" });
        await ownerPage.GetByLabel("Your password").FillAsync(PortalVisit.Password);
        ownerPage.Dialog += (_, dialog) => dialog.AcceptAsync();
        await ownerPage.GetByRole(AriaRole.Button, new() { Name = "Make them the owner" }).ClickAsync();
        await Expect(ownerPage.Locator("#team-alert")).ToContainTextAsync("is now the owner");
        await Expect(ownerPage.Locator("#your-role")).ToContainTextAsync("Admin");
        await Expect(ownerPage.Locator("#transfer-panel")).ToBeHiddenAsync();
        await Expect(ownerPage.Locator("#audit")).ToContainTextAsync($"handed the account to {memberEmail}");

        await page.ReloadAsync();
        await Expect(page.Locator("#your-role")).ToContainTextAsync("Owner");
        await Expect(page.Locator("#transfer-panel")).ToBeVisibleAsync();
        await member.CheckPageAsync("team-new-owner");
    }

    private async Task<string> InvitationLinkAsync(string to)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var mail = platform.AccountMail.Messages()
                .Where(m => m.Contains($"X-Rcpt-Args: <{to}>", StringComparison.Ordinal))
                .Select(m => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m))))
                .FirstOrDefault(m => m.Subject?.StartsWith("Join ", StringComparison.Ordinal) == true);
            var match = mail is null ? Match.Empty : Regex.Match(mail.TextBody ?? "", @"https?://\S+/team/join#token=[A-Za-z0-9_-]+");
            if (match.Success) return match.Value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no invitation mail to {to}");
            await Task.Delay(500);
        }
    }
}
