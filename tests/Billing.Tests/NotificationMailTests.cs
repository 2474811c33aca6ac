using ProMTA.Billing.Data;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Billing.Tests;

/// <summary>The notification outbox mailed by Billing's hosted sender to a real SMTP server (postfix's smtp-sink) over a socket.</summary>
public sealed class NotificationMailTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_stored_notification_is_mailed_to_the_customer_and_marked_sent()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await BillingStack.StartAsync(postgres, MailSettings(port));
        var customer = await NotifyAsync(stack, "ops@customer.example", "refund", "We refunded 50.00 EUR of invoice 7 to your card.");

        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<string>("SELECT mail_status FROM notifications") == "Sent", "the notice is sent");
        var mail = Assert.Single(sink.Messages());
        Assert.Contains("X-Rcpt-Args: <ops@customer.example>", mail);
        Assert.Contains("Subject: ProMTA refunded a payment", mail);
        Assert.Contains("We refunded 50.00 EUR of invoice 7 to your card.", mail);
        Assert.Matches("Message-I[dD]: <[0-9a-f]{32}@billing.promta>", mail);
        using var client = stack.ClientFor(customer);
        var listed = Assert.Single((await stack.GetJsonAsync(client, "/api/notifications")).GetProperty("items").EnumerateArray());
        Assert.Equal("Sent", listed.GetProperty("mailStatus").GetString());
    }

    [Fact]
    public async Task While_the_smarthost_is_down_a_notification_waits_and_is_sent_once_it_is_back()
    {
        var port = FreePort.Next();
        await using var stack = await BillingStack.StartAsync(postgres, MailSettings(port));
        await NotifyAsync(stack, "later@customer.example", "payment-failed", "We could not charge your card.");

        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<int>("SELECT mail_attempts FROM notifications") >= 2, "two attempts failed");
        Assert.Equal("Pending", await stack.ScalarAsync<string>("SELECT mail_status FROM notifications"));
        Assert.False(string.IsNullOrEmpty(await stack.ScalarAsync<string>("SELECT mail_error FROM notifications")));

        await using var sink = await SmtpSink.StartAsync(port);
        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<string>("SELECT mail_status FROM notifications") == "Sent", "the notice is sent");
        Assert.Contains("X-Rcpt-Args: <later@customer.example>", Assert.Single(sink.Messages()));
    }

    [Fact]
    public async Task A_refused_recipient_or_a_missing_address_is_final_and_the_notification_stays_listed()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port, hardReject: "RCPT");
        await using var stack = await BillingStack.StartAsync(postgres, MailSettings(port));
        var refused = await NotifyAsync(stack, "gone@customer.example", "suspended", "Your service is suspended.");
        await NotifyAsync(stack, email: null, "terminated", "Your service was terminated.");

        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE mail_status <> 'Pending'") == 2, "both are final");
        Assert.Equal(["NoAddress", "Rejected"], (await stack.ListAsync<string>("SELECT mail_status FROM notifications ORDER BY mail_status")));
        Assert.StartsWith("5", await stack.ScalarAsync<string>("SELECT mail_error FROM notifications WHERE mail_status = 'Rejected'"));
        Assert.Empty(sink.Messages());
        using var client = stack.ClientFor(refused);
        Assert.Equal("Rejected", Assert.Single((await stack.GetJsonAsync(client, "/api/notifications")).GetProperty("items").EnumerateArray()).GetProperty("mailStatus").GetString());
    }

    [Fact]
    public async Task A_customer_with_a_billing_profile_is_mailed_at_its_billing_email()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await BillingStack.StartAsync(postgres, MailSettings(port));
        var customerId = Guid.NewGuid();
        await using (var work = await stack.Database.BeginAsync())
        {
            await BillingRepository.AddAccountAsync(work, customerId, $"cus_{customerId:N}", DateTimeOffset.UtcNow);
            await NotificationRepository.SetEmailAsync(work, customerId, "ops@customer.example");
            await BillingProfileRepository.SaveAsync(work, customerId, new BillingProfile("Acme B.V.", "Damrak 1", null, "1012 LG", "Amsterdam", "NL", null,
                "invoices@customer.example", DateTimeOffset.UtcNow));
            await NotificationRepository.NotifyAsync(work, customerId, Guid.NewGuid(), "refund", "We refunded 50.00 EUR of invoice 7 to your card.", DateTimeOffset.UtcNow);
            await work.CommitAsync();
        }

        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<string>("SELECT mail_status FROM notifications") == "Sent", "the notice is sent");
        Assert.Contains("X-Rcpt-Args: <invoices@customer.example>", Assert.Single(sink.Messages()));
    }

    [Fact]
    public async Task A_blocklist_notice_is_copied_to_the_customer_s_account_manager_and_a_billing_notice_is_not()
    {
        var port = FreePort.Next();
        await using var sink = await SmtpSink.StartAsync(port);
        await using var stack = await BillingStack.StartAsync(postgres, MailSettings(port));
        var customerId = Guid.NewGuid();
        await using (var work = await stack.Database.BeginAsync())
        {
            await BillingRepository.AddAccountAsync(work, customerId, $"cus_{customerId:N}", DateTimeOffset.UtcNow);
            await NotificationRepository.SetEmailAsync(work, customerId, "ops@customer.example");
            await AccountManagerRepository.AssignAsync(work, customerId, Guid.NewGuid(), DateTimeOffset.UtcNow, "am@promta.example");
            await NotificationRepository.NotifyAsync(work, customerId, Guid.NewGuid(), "blocklisted",
                "Your dedicated IP 192.0.2.7 is listed by the blocklist bl.test.", DateTimeOffset.UtcNow, copyAccountManager: true);
            await NotificationRepository.NotifyAsync(work, customerId, Guid.NewGuid(), "refund", "We refunded 50.00 EUR.", DateTimeOffset.UtcNow);
            await work.CommitAsync();
        }

        await BillingStack.EventuallyAsync(async () => await stack.ScalarAsync<long>("SELECT count(*) FROM notifications WHERE mail_status = 'Sent'") == 2, "both are sent");
        var listed = Assert.Single(sink.Messages(), m => m.Contains("bl.test"));
        Assert.Contains("Subject: A blocklist lists your ProMTA IP or domain", listed);
        Assert.Contains("X-Rcpt-Args: <ops@customer.example>", listed);
        Assert.Contains("X-Rcpt-Args: <am@promta.example>", listed);
        Assert.Contains("Cc: am@promta.example", listed);
        Assert.DoesNotContain("am@promta.example", Assert.Single(sink.Messages(), m => m.Contains("refunded")));
    }

    private static Dictionary<string, string?> MailSettings(int port) => new()
    {
        ["Billing:Email:SmartHost"] = "127.0.0.1",
        ["Billing:Email:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Billing:Email:PollInterval"] = "00:00:00.200",
        ["Billing:Email:RetryDelay"] = "00:00:00.200",
        ["Billing:Email:MaxRetryDelay"] = "00:00:00.500",
    };

    private static async Task<Guid> NotifyAsync(BillingStack stack, string? email, string kind, string message)
    {
        var customerId = Guid.NewGuid();
        await using var work = await stack.Database.BeginAsync();
        await BillingRepository.AddAccountAsync(work, customerId, $"cus_{customerId:N}", DateTimeOffset.UtcNow);
        if (email is not null) await NotificationRepository.SetEmailAsync(work, customerId, email);
        await NotificationRepository.NotifyAsync(work, customerId, Guid.NewGuid(), kind, message, DateTimeOffset.UtcNow);
        await work.CommitAsync();
        return customerId;
    }
}
