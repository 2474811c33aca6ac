using ProMTA.Delivery.Outbound.Egress;

namespace ProMTA.Delivery.Outbound.Dispatch;

/// <summary>A session, or the reply that stands for its failure, or the time to hand the message back until (the lane had no connection to spare).</summary>
internal readonly record struct SessionAttempt(PooledConnection? Connection, (int Code, string Text)? Failure, DateTimeOffset? RetryAt);

/// <summary>
/// A session for one destination on one egress path: an idle pooled one that still answers, else a new one once the
/// path has a connection permit (waiting in memory until the batch's deadline), else why none could be opened (which
/// teaches the controller too, after the message's permit went back: nothing reached the MX). Transactional mail does
/// not wait for a connection held by an idle session of its lane to another MX: that session is closed to make room.
/// Bulk mail waiting for a connection while transactional mail waits on its path is handed back at once (due again
/// behind it).
/// </summary>
internal sealed class SessionOpener(SmtpConnectionPool pool, MxConnector connector, TimeProvider time)
{
    /// <summary>How often transactional mail asks again for a connection of its lane (bulk asks every <see cref="EgressPath.ConnectionWait"/>).</summary>
    public static readonly TimeSpan TransactionalConnectionWait = TimeSpan.FromMilliseconds(50);

    public async Task<SessionAttempt> OpenAsync(
        EgressPath path, string domain, Route route, string helo, string tenant, bool transactional, DateTimeOffset deadline, MessagePermit? permit,
        CancellationToken ct)
    {
        while (true)
        {
            foreach (var target in route.Targets)
            {
                if (await pool.RentAsync(new SmtpConnectionPool.Key(target.EndPoint, path.SourceIp, path.Provider), ct) is { } pooled)
                    return new SessionAttempt(pooled, null, null);
            }
            if (path.TryOpenConnection(tenant)) break;
            if (transactional && await pool.CloseIdleOfLaneAsync(path.SourceIp, path.Provider)) continue;
            if (!transactional && path.Demand.IsWaiting) return new SessionAttempt(null, null, time.GetUtcNow());
            // The lane's connections are all in use: one may come back to the pool or close meanwhile.
            var wait = transactional ? TransactionalConnectionWait : EgressPath.ConnectionWait;
            var retryAt = time.GetUtcNow() + wait;
            if (retryAt > deadline) return new SessionAttempt(null, null, retryAt);
            await Task.Delay(wait, time, ct);
        }
        var session = await connector.ConnectAsync(domain, route, path.SourceIp, helo, ct);
        if (session is not { Client: { } client, Target: { } connectedTo })
        {
            path.ConnectFailed(tenant, session.Failure, session.Answered, permit);
            return new SessionAttempt(null, session.Failure, null);
        }
        return new SessionAttempt(new PooledConnection(client, new SmtpConnectionPool.Key(connectedTo.EndPoint, path.SourceIp, path.Provider), path.ConnectionReleaser), null, null);
    }

    /// <summary>Keeps a healthy session for the next message or batch; closes one that is broken or used up.</summary>
    public Task ReturnAsync(PooledConnection connection, bool reusable) => pool.ReturnAsync(connection, reusable);
}
