using System.Net;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Smtp;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Relay;

/// <summary>
/// The SMTP submission endpoint customers relay through (docs/relay.md): our own SMTP engine (Smtp/) with the relay's
/// handlers: AUTH against relay_accounts, the account checks at MAIL/RCPT, and the durable queue at the end of DATA.
/// </summary>
internal sealed partial class RelayServer(
    IOptions<RelayOptions> options, RelayAuthenticator authenticator, RelayMailboxFilter filter, RelayMessageStore store,
    MigrationState migrations, ILoggerFactory loggers, ILogger<RelayServer> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Accepting mail needs the queue's tables.
        await migrations.Completed.WaitAsync(stoppingToken);
        var relay = options.Value;
        using var certificate = RelayCertificate.Load(relay);
        var listenerOptions = new SmtpListenerOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Parse(relay.Address), relay.Port),
            Hostname = relay.Hostname,
            Certificate = certificate,
            MaxMessageSize = relay.MaxMessageSize,
            IdleTimeout = relay.IdleTimeout,
            MaxErrors = relay.MaxErrors,
            MaxRecipients = relay.MaxRecipients,
            MaxConnectionsPerClient = relay.MaxConnectionsPerClient,
            MaxHeaderBytes = relay.MaxHeaderBytes,
            MaxHeaderCount = relay.MaxHeaderCount,
            MaxReceivedHeaders = relay.MaxReceivedHeaders,
            AllowAuthWithoutTls = relay.AllowPlainAuth,
        };
        if (relay.TrustedClients.Count > 0) LogTrustedClients(string.Join(", ", relay.TrustedClients.Keys));
        var handlers = new SmtpHandlers(filter, store, authenticator, context =>
        {
            if (relay.TrustedClients.Count > 0 && RelaySession.ClientIp(context) is { } ip && relay.TrustedClients.TryGetValue(ip, out var serviceId)) RelaySession.Trust(context, serviceId);
        });
        var listener = new SmtpListener(listenerOptions, handlers, loggers.CreateLogger<SmtpListener>());
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    LogListening(relay.Address, relay.Port, relay.AllowPlainAuth);
                    await listener.RunAsync(stoppingToken);
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
    }

    [LoggerMessage(LogLevel.Warning, "Relay:TrustedClients is set (benchmark only): {Clients} may relay without AUTH")]
    private partial void LogTrustedClients(string clients);

    [LoggerMessage(LogLevel.Error, "SMTP relay cannot listen on {Address}:{Port}; retrying")]
    private partial void LogBindFailed(Exception ex, string address, int port);

    [LoggerMessage(LogLevel.Information, "SMTP relay listening on {Address}:{Port} (AUTH before STARTTLS allowed: {AllowPlainAuth})")]
    private partial void LogListening(string address, int port, bool allowPlainAuth);
}
