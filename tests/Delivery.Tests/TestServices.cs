using Dapper;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Npgsql;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// A service as Delivery knows it once ordered and provisioned, written straight into its tables (the consumers that
/// would write them are tested on their own): owned by a customer, an active relay account with the test password,
/// its dedicated IPs, and one verified sending domain.
/// </summary>
public static class TestServices
{
    private const string AddSql = """
        INSERT INTO delivery.service_owners (service_id, customer_id, order_id) VALUES (@ServiceId, @CustomerId, @ServiceId);
        INSERT INTO delivery.relay_accounts (service_id, order_id, username, password_hash, source_ips, status, activated_at)
        VALUES (@ServiceId, @ServiceId, @Username, @Hash, @SourceIps, 'Active', now());
        INSERT INTO delivery.sending_domains (service_id, domain, source, added_at) VALUES (@ServiceId, @Domain, 'verified', now());
        """;

    /// <summary>Adds the service; <paramref name="username"/> defaults to svc-&lt;id&gt;, the domain to <see cref="RelayHost.OwnDomain"/>.</summary>
    public static async Task AddAsync(
        string connectionString, Guid customerId, Guid serviceId, string? username = null, string domain = RelayHost.OwnDomain, string sourceIp = "127.0.0.1",
        string[]? sourceIps = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync(AddSql, new
        {
            ServiceId = serviceId, CustomerId = customerId, Username = username ?? $"svc-{serviceId:N}",
            Hash = PasswordHasher.HashRandomSecret(RelayHost.Password), SourceIps = sourceIps ?? [sourceIp], Domain = domain,
        });
    }

    /// <summary>One message to <paramref name="to"/> through the relay on <paramref name="relayPort"/>, authenticated as <paramref name="username"/>.</summary>
    public static async Task SubmitAsync(int relayPort, string username, string password, params string[] to)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", relayPort, SecureSocketOptions.None);
        await client.AuthenticateAsync(username, password);
        var message = RelayHost.Message(to[0]);
        foreach (var more in to[1..]) message.To.Add(MailboxAddress.Parse(more));
        await client.SendAsync(message);
        await client.DisconnectAsync(true);
    }
}
