using System.Net;
using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Data;
using SmtpServer;

namespace ProMTA.Delivery.Relay;

/// <summary>The SMTP submission endpoint customers relay through: STARTTLS, AUTH PLAIN/LOGIN, SIZE, 8BITMIME, PIPELINING.</summary>
internal sealed partial class RelayServer(
    IOptions<RelayOptions> options, RelayAuthenticator authenticator, RelayMailboxFilter filter, RelayMessageStore store,
    MigrationState migrations, ILogger<RelayServer> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Accepting mail needs the queue's tables.
        await migrations.Completed.WaitAsync(stoppingToken);
        var relay = options.Value;
        var certificate = RelayCertificate.Load(relay);
        var serverOptions = new SmtpServerOptionsBuilder()
            .ServerName(relay.Hostname)
            .MaxMessageSize(relay.MaxMessageSize, MaxMessageSizeHandling.Strict)
            .Endpoint(endpoint => endpoint
                .Endpoint(new IPEndPoint(IPAddress.Parse(relay.Address), relay.Port))
                .Certificate(certificate)
                // Authentication is enforced by RelayMailboxFilter with a 530 5.7.0 the clients understand.
                .AuthenticationRequired(false)
                .AllowUnsecureAuthentication(relay.AllowPlainAuth))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(authenticator);
        services.Add(filter);
        services.Add(store);
        var server = new SmtpServer.SmtpServer(serverOptions, services);
        LogListening(relay.Address, relay.Port, relay.AllowPlainAuth);
        try
        {
            await server.StartAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            certificate.Dispose();
        }
    }

    [LoggerMessage(LogLevel.Information, "SMTP relay listening on {Address}:{Port} (AUTH before STARTTLS allowed: {AllowPlainAuth})")]
    private partial void LogListening(string address, int port, bool allowPlainAuth);
}
