using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Relay;
using ProMTA.Delivery.Smtp;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Inbound;

/// <summary>
/// The MX of every hosted domain: SMTP without AUTH, STARTTLS offered, SIZE enforced, a per-IP connection limit. One
/// listener on Inbound:Address:Port and, with Inbound:DedicatedIpPort, one on that port of each dedicated IP the
/// domains' MX records point at, started and stopped as services come and go.
/// </summary>
internal sealed partial class InboundServer(
    IOptions<InboundOptions> options, InboundMailboxFilter filter, InboundMessageStore store, Database db, MigrationState migrations,
    ILoggerFactory loggers, ILogger<InboundServer> log) : BackgroundService
{
    private readonly Dictionary<IPEndPoint, CancellationTokenSource> listeners = [];
    /// <summary>Every listener started, with its stop switch; disposed when the server stops.</summary>
    private readonly List<(Task Task, CancellationTokenSource Stop)> running = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var inbound = options.Value;
        if (inbound.Port == 0 && inbound.DedicatedIpPort == 0)
        {
            LogOff();
            return;
        }
        // Accepting mail needs the inbox tables.
        await migrations.Completed.WaitAsync(stoppingToken);
        // The relay's certificate mechanics, with the inbound MX's own name and file.
        using var certificate = RelayCertificate.Load(new RelayOptions
        {
            Hostname = inbound.Hostname, CertificatePath = inbound.CertificatePath, CertificatePassword = inbound.CertificatePassword,
        });
        try
        {
            if (inbound.Port > 0) Listen(new IPEndPoint(IPAddress.Parse(inbound.Address), inbound.Port), certificate, stoppingToken);
            while (inbound.DedicatedIpPort > 0 && !stoppingToken.IsCancellationRequested)
            {
                await RefreshDedicatedIpsAsync(inbound.DedicatedIpPort, certificate, stoppingToken);
                await Task.Delay(inbound.RefreshInterval, stoppingToken);
            }
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        finally
        {
            foreach (var (_, stop) in running) await stop.CancelAsync();
            await Task.WhenAll(running.Select(r => r.Task));
            foreach (var (_, stop) in running) stop.Dispose();
        }
    }

    private async Task RefreshDedicatedIpsAsync(int port, X509Certificate2 certificate, CancellationToken ct)
    {
        IReadOnlyList<string> addresses;
        try
        {
            addresses = await HostedDomains.MxAddressesAsync(db, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRefreshFailed(ex);
            return;
        }
        var wanted = addresses.Select(a => IPAddress.TryParse(a, out var ip) ? new IPEndPoint(ip, port) : null).OfType<IPEndPoint>().ToHashSet();
        foreach (var gone in listeners.Keys.Where(e => e.Port == port && !wanted.Contains(e)).ToList())
        {
            // A service that ended: its IPs go back to the pool and its MX stops answering here.
            await listeners[gone].CancelAsync();
            listeners.Remove(gone);
        }
        foreach (var endpoint in wanted.Where(e => !listeners.ContainsKey(e))) Listen(endpoint, certificate, ct);
    }

    private void Listen(IPEndPoint endpoint, X509Certificate2 certificate, CancellationToken stoppingToken)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        listeners[endpoint] = stop;
        running.Add((RunAsync(endpoint, certificate, stop.Token), stop));
    }

    private async Task RunAsync(IPEndPoint endpoint, X509Certificate2 certificate, CancellationToken ct)
    {
        var inbound = options.Value;
        // The relay's SMTP engine with the MX's handlers: no authenticator, so no AUTH is offered.
        var listener = new SmtpListener(new SmtpListenerOptions
        {
            EndPoint = endpoint,
            Hostname = inbound.Hostname,
            Certificate = certificate,
            MaxMessageSize = inbound.MaxMessageSize,
            MaxRecipients = inbound.MaxRecipients,
            MaxConnectionsPerClient = inbound.MaxConnectionsPerIp,
            MaxReceivedHeaders = inbound.MaxHops,
        }, new SmtpHandlers(filter, store), loggers.CreateLogger<SmtpListener>());
        while (!ct.IsCancellationRequested)
        {
            try
            {
                LogListening(endpoint.ToString());
                await listener.RunAsync(ct);
            }
            catch (SocketException ex)
            {
                // The address may not be configured yet or the port still held: keep the rest running and try again.
                LogBindFailed(ex, endpoint.ToString());
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Inbound MX off: neither Inbound:Port nor Inbound:DedicatedIpPort is set")]
    private partial void LogOff();

    [LoggerMessage(LogLevel.Information, "Inbound MX listening on {Endpoint}")]
    private partial void LogListening(string endpoint);

    [LoggerMessage(LogLevel.Error, "Inbound MX cannot listen on {Endpoint}; retrying")]
    private partial void LogBindFailed(Exception ex, string endpoint);

    [LoggerMessage(LogLevel.Warning, "Reading the dedicated IPs of hosted domains failed; keeping the current listeners")]
    private partial void LogRefreshFailed(Exception ex);
}
