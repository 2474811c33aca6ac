using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MimeKit;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Ordering.Tests;

/// <summary>
/// Forgot password and e-mail verification end to end on Ordering's API: the links are mailed through a real SMTP
/// server (postfix's smtp-sink, as for Billing's notices), read from the mail as a customer would, and used.
/// </summary>
public sealed class AccountLinkMailTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Password = "first password 1";

    [Fact]
    public async Task Signing_up_mails_a_verification_link_that_verifies_the_address_once()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await OrderingStack.StartAsync(postgres, Settings(port));
        using var visitor = stack.Anonymous();
        var id = await SignUpAsync(stack, visitor, "new@customer.example");
        using var customer = stack.ClientFor(id);
        Assert.False((await MeAsync(customer)).GetProperty("emailVerified").GetBoolean());

        var mail = await MailToAsync(sink, "new@customer.example", "Confirm your e-mail address for ProMTA");
        var link = Link(mail, "/verify-email");
        using (var verified = await visitor.PostAsJsonAsync("/api/auth/email-verification/confirm", new { token = TokenOf(link) }))
        {
            Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        }
        Assert.True((await MeAsync(customer)).GetProperty("emailVerified").GetBoolean());

        using var again = await visitor.PostAsJsonAsync("/api/auth/email-verification/confirm", new { token = TokenOf(link) });
        Assert.Equal(["token"], await ErrorFieldsAsync(again));
        using var more = await customer.PostAsync("/api/account/email-verification", null);
        Assert.Equal(HttpStatusCode.Conflict, more.StatusCode);
    }

    [Fact]
    public async Task A_reset_link_by_mail_sets_a_new_password_once_and_ends_every_older_login()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await OrderingStack.StartAsync(postgres, Settings(port));
        using var visitor = stack.Anonymous();
        var id = await SignUpAsync(stack, visitor, "forgot@customer.example");
        var before = (await stack.PostJsonAsync(visitor, "/api/auth/token", new { email = "forgot@customer.example", password = Password })).GetProperty("accessToken").GetString();
        // A whole second apart from the revocation the reset makes: tokens carry whole seconds (AccessTokens.IssueTime).
        await Task.Delay(1100);

        using var asked = await visitor.PostAsJsonAsync("/api/auth/password-reset", new { email = "FORGOT@customer.example" });
        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        var mail = await MailToAsync(sink, "forgot@customer.example", "Choose a new ProMTA password");
        var link = Link(mail, "/reset-password");
        Assert.DoesNotContain(TokenOf(link), await stack.ScalarAsync<string>("SELECT string_agg(encode(token_hash, 'base64') || email, ',') FROM account_links"));

        using (var tooShort = await visitor.PostAsJsonAsync("/api/auth/password-reset/confirm", new { token = TokenOf(link), newPassword = "short" }))
        {
            Assert.Equal(["newPassword"], await ErrorFieldsAsync(tooShort));
        }
        using (var reset = await visitor.PostAsJsonAsync("/api/auth/password-reset/confirm", new { token = TokenOf(link), newPassword = "second password 2" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }
        using (var reused = await visitor.PostAsJsonAsync("/api/auth/password-reset/confirm", new { token = TokenOf(link), newPassword = "third password 3" }))
        {
            Assert.Equal(["token"], await ErrorFieldsAsync(reused));
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await LogInAsync(visitor, "forgot@customer.example", Password));
        Assert.Equal(HttpStatusCode.OK, await LogInAsync(visitor, "forgot@customer.example", "second password 2"));
        using var introspected = await visitor.PostAsJsonAsync("/internal/auth/introspect", new { token = before });
        Assert.Equal(HttpStatusCode.Unauthorized, introspected.StatusCode);
        // The mail reached its owner: the address counts as verified.
        using var customer = stack.ClientFor(id);
        Assert.True((await MeAsync(customer)).GetProperty("emailVerified").GetBoolean());
    }

    [Fact]
    public async Task An_unknown_address_gets_the_same_answer_and_no_mail()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await OrderingStack.StartAsync(postgres, Settings(port));
        using var visitor = stack.Anonymous();
        await SignUpAsync(stack, visitor, "known@customer.example");
        await MailToAsync(sink, "known@customer.example", "Confirm your e-mail address for ProMTA");

        using var known = await visitor.PostAsJsonAsync("/api/auth/password-reset", new { email = "known@customer.example" });
        using var unknown = await visitor.PostAsJsonAsync("/api/auth/password-reset", new { email = "nobody@customer.example" });
        Assert.Equal(known.StatusCode, unknown.StatusCode);
        Assert.Equal(await known.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync());
        await MailToAsync(sink, "known@customer.example", "Choose a new ProMTA password");
        Assert.Equal(0, await stack.ScalarAsync<long>("SELECT count(*) FROM account_links WHERE lower(email) = 'nobody@customer.example'"));
        Assert.DoesNotContain(sink.Messages(), m => m.Contains("nobody@customer.example", StringComparison.Ordinal));

        using var malformed = await visitor.PostAsJsonAsync("/api/auth/password-reset", new { email = "not an address" });
        Assert.Equal(["email"], await ErrorFieldsAsync(malformed));
        using var madeUp = await visitor.PostAsJsonAsync("/api/auth/password-reset/confirm", new { token = "made-up", newPassword = "second password 2" });
        Assert.Equal(["token"], await ErrorFieldsAsync(madeUp));
    }

    [Fact]
    public async Task An_expired_link_or_one_replaced_by_a_used_newer_one_no_longer_works()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await OrderingStack.StartAsync(postgres, Settings(port));
        using var visitor = stack.Anonymous();
        await SignUpAsync(stack, visitor, "late@customer.example");

        var links = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            (await visitor.PostAsJsonAsync("/api/auth/password-reset", new { email = "late@customer.example" })).Dispose();
            // Mails carry whole seconds in their Date: the new one is the link not seen before.
            var mails = await MailsToAsync(sink, "late@customer.example", "Choose a new ProMTA password", i);
            links.Add(Assert.Single(mails.Select(m => Link(m, "/reset-password")).Except(links)));
        }
        var (first, second, third) = (links[0], links[1], links[2]);

        // The hour passes for the first link (the clock is real; the row says when the link ends).
        await stack.ScalarAsync<int>("UPDATE account_links SET expires_at = now() - interval '1 second' WHERE token_hash = sha256(convert_to(@Token, 'UTF8'))", new { Token = TokenOf(first) });
        using (var expired = await visitor.PostAsJsonAsync("/api/auth/password-reset/confirm", new { token = TokenOf(first), newPassword = "second password 2" }))
        {
            Assert.Equal(["token"], await ErrorFieldsAsync(expired));
        }
        using (var used = await visitor.PostAsJsonAsync("/api/auth/password-reset/confirm", new { token = TokenOf(third), newPassword = "second password 2" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, used.StatusCode);
        }
        using var older = await visitor.PostAsJsonAsync("/api/auth/password-reset/confirm", new { token = TokenOf(second), newPassword = "an attacker's one" });
        Assert.Equal(["token"], await ErrorFieldsAsync(older));
        Assert.Equal(HttpStatusCode.OK, await LogInAsync(visitor, "late@customer.example", "second password 2"));
    }

    [Fact]
    public async Task Past_three_links_an_hour_an_account_gets_no_more_mail_and_the_answer_does_not_change()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await OrderingStack.StartAsync(postgres, Settings(port));
        using var visitor = stack.Anonymous();
        await SignUpAsync(stack, visitor, "flooded@customer.example");

        var answers = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            using var asked = await visitor.PostAsJsonAsync("/api/auth/password-reset", new { email = "flooded@customer.example" });
            Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
            answers.Add(await asked.Content.ReadAsStringAsync());
        }
        Assert.Single(answers.Distinct());
        await MailsToAsync(sink, "flooded@customer.example", "Choose a new ProMTA password", 3);
        Assert.Equal(3, await stack.ScalarAsync<long>("SELECT count(*) FROM account_links WHERE purpose = 'password-reset'"));
        await EventuallyAsync(async () => await stack.ScalarAsync<long>("SELECT count(*) FROM account_links WHERE mail_status = 'Pending'") == 0, "every link is mailed");
        Assert.Equal(3, sink.Messages().Count(m => m.Contains("Subject: Choose a new ProMTA password", StringComparison.Ordinal)));
    }

    internal static Dictionary<string, string?> Settings(int port) => new()
    {
        ["Accounts:Email:SmartHost"] = "127.0.0.1",
        ["Accounts:Email:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Accounts:Email:PollInterval"] = "00:00:00.200",
        ["Accounts:Email:RetryDelay"] = "00:00:00.200",
        ["Accounts:Email:MaxRetryDelay"] = "00:00:00.500",
        ["Accounts:PortalUrl"] = "https://portal.promta.example",
    };

    private static async Task<Guid> SignUpAsync(OrderingStack stack, HttpClient visitor, string email) =>
        (await stack.PostJsonAsync(visitor, "/api/customers", new { email, name = "Jane Doe", password = Password })).GetProperty("id").GetGuid();

    private static async Task<HttpStatusCode> LogInAsync(HttpClient visitor, string email, string password)
    {
        using var response = await visitor.PostAsJsonAsync("/api/auth/token", new { email, password });
        return response.StatusCode;
    }

    private static async Task<JsonElement> MeAsync(HttpClient customer) => await customer.GetFromJsonAsync<JsonElement>("/api/me");

    internal static async Task<IReadOnlyList<string>> ErrorFieldsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name)];
    }

    internal static async Task<MimeMessage> MailToAsync(SmtpSink sink, string to, string subject) => (await MailsToAsync(sink, to, subject, 1))[0];

    /// <summary>Waits for <paramref name="count"/> mails with the subject to the address; returns them oldest first.</summary>
    internal static async Task<IReadOnlyList<MimeMessage>> MailsToAsync(SmtpSink sink, string to, string subject, int count)
    {
        List<MimeMessage> found = [];
        await EventuallyAsync(() =>
        {
            found = [.. sink.Messages().Where(m => m.Contains($"X-Rcpt-Args: <{to}>", StringComparison.Ordinal))
                .Select(m => MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m))))
                .Where(m => m.Subject == subject).OrderBy(m => m.Date)];
            return Task.FromResult(found.Count >= count);
        }, $"{count} mail(s) '{subject}' to {to}");
        return found;
    }

    /// <summary>The portal link in the mail's text, as the customer's mail client shows it.</summary>
    internal static string Link(MimeMessage mail, string page)
    {
        var match = Regex.Match(mail.TextBody ?? "", $@"https://portal\.promta\.example{page}#token=[A-Za-z0-9_-]+");
        Assert.True(match.Success, $"no {page} link in:\n{mail.TextBody}");
        return match.Value;
    }

    internal static string TokenOf(string link) => link[(link.IndexOf("#token=", StringComparison.Ordinal) + 7)..];

    internal static async Task EventuallyAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting until {what}");
            await Task.Delay(100);
        }
    }
}
