using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ProMTA.Delivery.Smtp;

/// <summary>
/// Accepts connections on one endpoint and runs a session for each, at most MaxConnectionsPerClient at once per client
/// IP (one address must not take every slot). On stop, open sessions answer 421 4.3.2 and close; messages whose 250 was
/// sent are stored, the others were never accepted.
/// </summary>
public sealed partial class SmtpListener(SmtpListenerOptions options, SmtpHandlers handlers, ILogger<SmtpListener> log)
{
    private readonly ConcurrentDictionary<IPAddress, int> perClient = new();
    private readonly ConcurrentDictionary<Task, bool> sessions = new();

    /// <summary>Runs until <paramref name="stopping"/>; throws SocketException when the endpoint cannot be bound.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using var socket = new Socket(options.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(options.EndPoint);
        socket.Listen(512);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var client = await socket.AcceptAsync(stopping);
                var session = Task.Run(() => HandleAsync(client, stopping), CancellationToken.None);
                sessions.TryAdd(session, true);
                _ = session.ContinueWith(t => sessions.TryRemove(t, out _), TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // stopping: the sessions see the same token and say goodbye
        }
        await Task.WhenAll(sessions.Keys);
    }

    private async Task HandleAsync(Socket client, CancellationToken stopping)
    {
        client.NoDelay = true;
        var remote = (IPEndPoint)client.RemoteEndPoint!;
        var ip = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        var count = perClient.AddOrUpdate(ip, 1, (_, n) => n + 1);
        var context = new SessionContext(new IPEndPoint(ip, remote.Port));
        await using var connection = new SmtpConnection(new NetworkStream(client, ownsSocket: true), options.IdleTimeout, stopping);
        try
        {
            if (count > options.MaxConnectionsPerClient)
            {
                LogTooManyConnections(ip.ToString(), count - 1);
                await connection.WriteFinalAsync(SmtpReplies.TooManyConnections(options.Hostname));
                return;
            }
            handlers.SessionStarted?.Invoke(context);
            await new SmtpSession(connection, context, options, handlers, log, stopping).RunAsync();
        }
        catch (Exception ex)
        {
            LogSessionFailed(ex, ip.ToString());
        }
        finally
        {
            if (perClient.AddOrUpdate(ip, 0, (_, n) => n - 1) <= 0) perClient.TryRemove(new KeyValuePair<IPAddress, int>(ip, 0));
        }
    }

    [LoggerMessage(LogLevel.Warning, "SMTP connection from {ClientIp} refused: {Open} sessions already open from that address")]
    private partial void LogTooManyConnections(string clientIp, int open);

    [LoggerMessage(LogLevel.Error, "SMTP session from {ClientIp} failed")]
    private partial void LogSessionFailed(Exception ex, string clientIp);
}
