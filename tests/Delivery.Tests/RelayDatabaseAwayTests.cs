using System.Text;
using Dapper;
using Npgsql;
using Microsoft.Extensions.Hosting;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// The relay while its database refuses it (a real PostgreSQL, the relay's own role set to NOLOGIN and its sessions
/// ended): each step the database decides answers a temporary failure with its enhanced code, so a client keeps its
/// message and tries again, and the same session goes on once the database is back. AUTH answers RFC 4954's 454 4.7.0,
/// not 535: the credentials were not checked, so they are not wrong.
/// </summary>
public sealed class RelayDatabaseAwayTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string RolePassword = "relay-role-password-for-tests";

    [Fact]
    public async Task Auth_mail_and_data_answer_temporary_failures_while_the_database_refuses_and_the_session_recovers()
    {
        var role = $"relay_{Guid.NewGuid():N}"[..22];
        await AdminAsync($"CREATE ROLE {role} LOGIN PASSWORD '{RolePassword}'; GRANT CREATE ON DATABASE promta TO {role}");
        try
        {
            var asRole = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Username = role, Password = RolePassword }.ConnectionString;
            await using var relay = await RelayHost.StartAsync(postgres,
                settings: _ => new Dictionary<string, string> { [$"ConnectionStrings:{ServiceDatabaseExtensions.ConnectionName}"] = asRole });
            await using var smtp = await SmtpDialog.ConnectAsync(relay.Port);
            await smtp.SendAsync("EHLO client.test");
            var auth = "AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{relay.Username}\0{RelayHost.Password}"));

            await RefuseAsync(role);
            Assert.StartsWith("454 4.7.0", await smtp.SendAsync(auth));
            await AdmitAsync(role);
            Assert.StartsWith("235 2.7.0", await smtp.SendAsync(auth));

            await RefuseAsync(role);
            Assert.StartsWith("451 4.3.0", await smtp.SendAsync("MAIL FROM:<sender@customer.test>"));
            await AdmitAsync(role);
            Assert.StartsWith("250 2.1.0", await smtp.SendAsync("MAIL FROM:<sender@customer.test>"));
            Assert.StartsWith("250 2.1.5", await smtp.SendAsync("RCPT TO:<ada@gmail.test>"));
            Assert.StartsWith("354 ", await smtp.SendAsync("DATA"));

            await RefuseAsync(role);
            Assert.StartsWith("451 4.3.0", await smtp.SendAsync(
                "From: sender@customer.test\r\nSubject: hi\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\nMessage-ID: <away@customer.test>\r\n\r\nhello\r\n."));
            await AdmitAsync(role);
            Assert.Empty(await relay.QueryAsync<Guid>("SELECT id FROM messages"));

            // The client sends it again in the same session, as it would after a 4xx.
            Assert.StartsWith("250 2.1.0", await smtp.SendAsync("MAIL FROM:<sender@customer.test>"));
            Assert.StartsWith("250 2.1.5", await smtp.SendAsync("RCPT TO:<ada@gmail.test>"));
            Assert.StartsWith("354 ", await smtp.SendAsync("DATA"));
            Assert.StartsWith("250 2.0.0 Ok: queued as", await smtp.SendAsync(
                "From: sender@customer.test\r\nSubject: hi\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\nMessage-ID: <away@customer.test>\r\n\r\nhello\r\n."));
            Assert.Single(await relay.QueryAsync<Guid>("SELECT id FROM messages"));
        }
        finally
        {
            await AdminAsync($"ALTER ROLE {role} LOGIN");
            await AdminAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'");
            await AdminAsync($"DROP OWNED BY {role} CASCADE; DROP ROLE {role}");
        }
    }

    /// <summary>The database turns the relay away: no new session for its role, and the ones it holds are ended.</summary>
    private Task RefuseAsync(string role) =>
        AdminAsync($"ALTER ROLE {role} NOLOGIN; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'");

    private Task AdmitAsync(string role) => AdminAsync($"ALTER ROLE {role} LOGIN");

    private async Task AdminAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(postgres.ConnectionString);
        await admin.ExecuteAsync(sql);
    }
}
