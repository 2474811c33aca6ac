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
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    LogListening(relay.Address, relay.Port, relay.AllowPlainAuth);
                    var server = new SmtpServer.SmtpServer(serverOptions, services);
                    // The EHLO name goes into the Received header the relay adds.
                    server.SessionCreated += (_, e) => e.Context.CommandExecuting += (_, c) => RelaySession.RememberHelo(e.Context, c.Command);
                    if (relay.TrustedClients.Count > 0)
                    {
                        LogTrustedClients(string.Join(", ", relay.TrustedClients.Keys));
                        server.SessionCreated += (_, e) =>
                        {
                            if (RelaySession.ClientIp(e.Context) is { } ip && relay.TrustedClients.TryGetValue(ip, out var serviceId)) RelaySession.Trust(e.Context, serviceId);
                        };
                    }
                    await server.StartAsync(stoppingToken);
                }
                catch (System.Net.Sockets.SocketException ex)
                {
                    // The port may still be held by a previous instance (a restart, a second local stack): keep the
                    // service and its queue running and try again rather than take everything down.
                    LogBindFailed(ex, relay.Address, relay.Port);
                    await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
                }
            }
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

    [LoggerMessage(LogLevel.Warning, "Relay:TrustedClients is set (benchmark only): {Clients} may relay without AUTH")]
    private partial void LogTrustedClients(string clients);

    [LoggerMessage(LogLevel.Error, "SMTP relay cannot listen on {Address}:{Port}; retrying")]
    private partial void LogBindFailed(Exception ex, string address, int port);

    [LoggerMessage(LogLevel.Information, "SMTP relay listening on {Address}:{Port} (AUTH before STARTTLS allowed: {AllowPlainAuth})")]
    private partial void LogListening(string address, int port, bool allowPlainAuth);
}
