using Dapper;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MimeKit;
using ProMTA.Delivery;
using ProMTA.FakeIsp;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Security;
using ProMTA.TestKit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Delivery's relay and outbound worker as the service wires them (AddRelay, AddOutbound), in a fresh schema of the
/// fixture's PostgreSQL, with one fake Gmail MX on a free port that the outbound routes gmail.test to.
/// </summary>
public sealed class RelayHost : IAsyncDisposable
{
    public const string Password = "relay-password-for-tests";
    public const string SourceIp = "127.0.1.7";
    /// <summary>The PTR name Dns published for <see cref="SourceIp"/> (ReverseDnsPropagated's pair).</summary>
    public const string SourceHostname = "mta1.s-relay-tests.promta.local";
    /// <summary>The sending domain the test service has verified.</summary>
    public const string OwnDomain = "customer.test";
    public const string DkimEncryptionKey = "dkim-encryption-key-for-delivery-tests-0123456789";

    private readonly IHost host;

    private RelayHost(IHost host, FakeMx mx, int port, Guid serviceId, string username, string schema)
    {
        this.host = host;
        Schema = schema;
        Mx = mx;
        Port = port;
        ServiceId = serviceId;
        Username = username;
    }

    public FakeMx Mx { get; }
    /// <summary>The database schema of this host: pass it to the next StartAsync to restart on the same data.</summary>
    public string Schema { get; }
    public int Port { get; }
    /// <summary>The inbound MX's fixed port when started with <c>inbound: true</c>.</summary>
    public int InboundPort { get; private init; }
    public Guid ServiceId { get; }
    public string Username { get; }
    public Database Database => host.Services.GetRequiredService<Database>();
    public IServiceProvider Services => host.Services;

    public static async Task<RelayHost> StartAsync(PostgresFixture postgres, FakeProviderOptions? gmail = null, bool allowPlainAuth = true,
        Func<Guid, IReadOnlyDictionary<string, string>>? settings = null, string environment = "Production", Action<IServiceCollection>? services = null,
        string? schema = null, bool inbound = false, ReportSender? reports = null, Func<int, Dictionary<string, string>>? inboundSettings = null)
    {
        schema ??= $"t_{Guid.NewGuid():N}"[..20];
        var mxPort = FreePort.Next();
        var provider = gmail ?? new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test" };
        provider.Address = "127.0.0.1";
        var mx = new FakeMx(provider, mxPort, reports);
        mx.Start();

        var port = FreePort.Next();
        var serviceId = Guid.NewGuid();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment });
        builder.Configuration[$"ConnectionStrings:{ServiceDatabaseExtensions.ConnectionName}"] = postgres.ConnectionString;
        builder.Configuration["Relay:Port"] = port.ToString();
        builder.Configuration["Relay:AllowPlainAuth"] = allowPlainAuth.ToString();
        builder.Configuration["Relay:MaxMessageSize"] = "1048576";
        builder.Configuration["Dkim:EncryptionKey"] = DkimEncryptionKey;
        builder.Configuration["Delivery:Routes:gmail.test"] = $"127.0.0.1:{mxPort}";
        builder.Configuration["Delivery:RetryInitial"] = "00:00:00.500";
        builder.Configuration["Delivery:RetryMax"] = "00:00:01";
        builder.Configuration["Delivery:PollInterval"] = "00:00:00.100";
        var inboundPort = inbound ? FreePort.Next() : 0;
        builder.Configuration["Inbound:Port"] = inboundPort.ToString();
        builder.Configuration["Inbound:Hostname"] = "mx.promta.test";
        foreach (var (key, value) in settings?.Invoke(serviceId) ?? new Dictionary<string, string>()) builder.Configuration[key] = value;
        foreach (var (key, value) in inboundSettings?.Invoke(inboundPort) ?? []) builder.Configuration[key] = value;
        inboundPort = int.Parse(builder.Configuration["Inbound:Port"]!);
        builder.Services.AddSingleton(TimeProvider.System);
        services?.Invoke(builder.Services);
        builder.AddServiceDatabase(schema, typeof(Extensions).Assembly);
        builder.AddRelay();
        builder.AddOutbound();
        if (inbound) builder.AddInbound();
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            await mx.DisposeAsync();
            throw;
        }
        await host.Services.GetRequiredService<MigrationState>().Completed;

        var username = $"svc-{serviceId:N}";
        await using (var connection = await host.Services.GetRequiredService<Database>().OpenAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO relay_accounts (service_id, order_id, username, password_hash, source_ips, source_hostnames, status, activated_at)
                VALUES (@ServiceId, @ServiceId, @Username, @Hash, @Ips, @Hostnames, 'Active', now())
                """, new { ServiceId = serviceId, Username = username, Hash = PasswordHasher.HashRandomSecret(Password), Ips = new[] { SourceIp }, Hostnames = new[] { SourceHostname } });
            // The service's own domain, as SendingDomainVerified leaves it: the relay accepts only senders there (issue 14).
            await connection.ExecuteAsync("""
                INSERT INTO sending_domains (service_id, domain, source, added_at) VALUES (@ServiceId, @Domain, 'verified', now())
                """, new { ServiceId = serviceId, Domain = OwnDomain });
        }
        var relay = new RelayHost(host, mx, port, serviceId, username, schema) { InboundPort = inboundPort };
        await relay.WaitForRelayAsync();
        if (inbound) await relay.WaitForListenerAsync(inboundPort);
        return relay;
    }

    /// <summary>A MailKit client connected to the relay (STARTTLS when offered, the test certificate trusted).</summary>
    public async Task<SmtpClient> ConnectAsync(SecureSocketOptions security = SecureSocketOptions.None, string? localDomain = null)
    {
        var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, CheckCertificateRevocation = false };
        if (localDomain is not null) client.LocalDomain = localDomain;
        await client.ConnectAsync("127.0.0.1", Port, security);
        return client;
    }

    /// <summary>Submits one message to these recipients over an authenticated session; returns the relay's reply.</summary>
    public async Task<string> SubmitAsync(params string[] to)
    {
        using var client = await ConnectAsync();
        await client.AuthenticateAsync(Username, Password);
        var message = Message(to[0]);
        foreach (var more in to[1..]) message.To.Add(MailboxAddress.Parse(more));
        var reply = await client.SendAsync(message);
        await client.DisconnectAsync(true);
        return reply;
    }

    public static MimeMessage Message(string to, string subject = "Hello")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("sender@customer.test"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Sent through ProMTA." };
        return message;
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? param = null)
    {
        await using var connection = await Database.OpenAsync();
        return [.. await connection.QueryAsync<T>(sql, param)];
    }

    public async Task<T> QuerySingleAsync<T>(string sql, object? param = null)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.QuerySingleAsync<T>(sql, param);
    }

    /// <summary>Polls until <paramref name="done"/> holds; the outbound worker runs on its own schedule.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(100);
        }
    }

    private async Task WaitForListenerAsync(int port)
    {
        await EventuallyAsync(async () =>
        {
            try
            {
                using var client = new SmtpClient();
                await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
                await client.DisconnectAsync(true);
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(20));
    }

    private async Task WaitForRelayAsync()
    {
        await EventuallyAsync(async () =>
        {
            try
            {
                using var client = await ConnectAsync();
                await client.DisconnectAsync(true);
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
        await Mx.DisposeAsync();
    }
}
