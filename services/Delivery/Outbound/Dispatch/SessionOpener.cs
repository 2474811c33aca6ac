using ProMTA.Delivery.Outbound.Egress;

namespace ProMTA.Delivery.Outbound.Dispatch;

/// <summary>A session, or the reply that stands for its failure, or the time to hand the message back until (the lane had no connection to spare).</summary>
internal readonly record struct SessionAttempt(PooledConnection? Connection, (int Code, string Text)? Failure, DateTimeOffset? RetryAt);

/// <summary>
/// A session for one destination on one egress path: an idle pooled one that still answers, else a new one once the
/// path has a connection permit (waiting in memory until the batch's deadline), else why none could be
/// opened (which teaches the controller too).
/// </summary>
internal sealed class SessionOpener(SmtpConnectionPool pool, MxConnector connector, TimeProvider time)
{
    public async Task<SessionAttempt> OpenAsync(EgressPath path, string domain, Route route, string helo, string tenant, DateTimeOffset deadline, CancellationToken ct)
    {
        while (true)
        {
            foreach (var target in route.Targets)
            {
                if (await pool.RentAsync(new SmtpConnectionPool.Key(target.EndPoint, path.SourceIp, path.Provider), ct) is { } pooled)
                    return new SessionAttempt(pooled, null, null);
            }
            if (path.TryOpenConnection(tenant)) break;
            // The lane's connections are all in use: one may come back to the pool or close meanwhile.
            var retryAt = time.GetUtcNow() + EgressPath.ConnectionWait;
            if (retryAt > deadline) return new SessionAttempt(null, null, retryAt);
            await Task.Delay(EgressPath.ConnectionWait, time, ct);
        }
        var session = await connector.ConnectAsync(domain, route, path.SourceIp, helo, ct);
        if (session is not { Client: { } client, Target: { } connectedTo })
        {
            path.ConnectFailed(tenant, session.Failure, session.Answered);
            return new SessionAttempt(null, session.Failure, null);
        }
        return new SessionAttempt(new PooledConnection(client, new SmtpConnectionPool.Key(connectedTo.EndPoint, path.SourceIp, path.Provider), path.ConnectionReleaser), null, null);
    }

    /// <summary>Keeps a healthy session for the next message or batch; closes one that is broken or used up.</summary>
    public Task ReturnAsync(PooledConnection connection, bool reusable) => pool.ReturnAsync(connection, reusable);
}
