using System.Net;
using ProMTA.Delivery.Outbound.Smtp;

namespace ProMTA.Delivery.Outbound;

/// <summary>An open outbound SMTP session and what it has carried; <see cref="Released"/> gives its throttle permit back.</summary>
internal sealed class PooledConnection(SmtpSession client, SmtpConnectionPool.Key key, Action? released)
{
    public SmtpSession Client { get; } = client;
    public SmtpConnectionPool.Key Key { get; } = key;
    public int Sent { get; set; }
    public DateTimeOffset IdleSince { get; set; }

    public async Task CloseAsync()
    {
        // The server may already have closed (after a 421, or an idle timeout): QUIT then gives up quietly.
        await Client.QuitAsync();
        await Client.DisposeAsync();
        released?.Invoke();
    }
}

/// <summary>
/// Keeps outbound sessions open between batches, per MX end point, source IP and provider (like Postfix's connection
/// cache): the next batch for the same destination skips TCP, greeting, EHLO and STARTTLS. Idle sessions close after
/// <c>Delivery:ConnectionIdleTimeout</c>.
/// </summary>
internal sealed class SmtpConnectionPool(TimeProvider time) : IAsyncDisposable
{
    public readonly record struct Key(IPEndPoint Target, string? SourceIp, string Provider);

    private readonly Lock gate = new();
    private readonly Dictionary<Key, Stack<PooledConnection>> idle = [];

    /// <summary>An idle session for this destination that still answers, or null.</summary>
    public async Task<PooledConnection?> RentAsync(Key key, CancellationToken ct)
    {
        while (TryPop(key) is { } connection)
        {
            // An idle session may have been dropped by the server: a NOOP proves it alive before a message rides on it.
            if (await connection.Client.NoOpAsync(ct)) return connection;
            await connection.CloseAsync();
        }
        return null;
    }

    /// <summary>Keeps a healthy session for the next batch; closes one that is broken or used up.</summary>
    public async Task ReturnAsync(PooledConnection connection, bool reusable)
    {
        if (!reusable || !connection.Client.IsConnected)
        {
            await connection.CloseAsync();
            return;
        }
        connection.IdleSince = time.GetUtcNow();
        lock (gate)
        {
            if (!idle.TryGetValue(connection.Key, out var stack)) idle[connection.Key] = stack = new Stack<PooledConnection>();
            stack.Push(connection);
        }
    }

    /// <summary>
    /// Closes one idle session of this lane (source IP x provider), whatever its MX: its connection permit goes back, so
    /// the lane may open one to another MX. False when the lane has none idle.
    /// </summary>
    public async Task<bool> CloseIdleOfLaneAsync(string? sourceIp, string provider)
    {
        PooledConnection? victim = null;
        lock (gate)
        {
            foreach (var (key, stack) in idle)
            {
                if (key.SourceIp != sourceIp || key.Provider != provider || !stack.TryPop(out victim)) continue;
                if (stack.Count == 0) idle.Remove(key);
                break;
            }
        }
        if (victim is null) return false;
        await victim.CloseAsync();
        return true;
    }

    /// <summary>Closes the sessions idle for longer than <paramref name="maxIdle"/>.</summary>
    public Task CloseIdleAsync(TimeSpan maxIdle) => CloseIdleSinceAsync(time.GetUtcNow() - maxIdle);

    private async Task CloseIdleSinceAsync(DateTimeOffset cutoff)
    {
        List<PooledConnection> expired = [];
        lock (gate)
        {
            foreach (var (key, stack) in idle.ToList())
            {
                var keep = stack.Where(c => c.IdleSince > cutoff).Reverse().ToList();
                expired.AddRange(stack.Where(c => c.IdleSince <= cutoff));
                if (keep.Count == 0) idle.Remove(key);
                else idle[key] = new Stack<PooledConnection>(keep);
            }
        }
        foreach (var connection in expired) await connection.CloseAsync();
    }

    public int IdleCount
    {
        get
        {
            lock (gate) return idle.Values.Sum(s => s.Count);
        }
    }

    public async ValueTask DisposeAsync() => await CloseIdleSinceAsync(DateTimeOffset.MaxValue);

    private PooledConnection? TryPop(Key key)
    {
        lock (gate) return idle.TryGetValue(key, out var stack) && stack.TryPop(out var connection) ? connection : null;
    }
}
