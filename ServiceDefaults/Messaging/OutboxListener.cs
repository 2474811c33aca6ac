using System.Diagnostics;
using Dapper;
using Npgsql;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.ServiceDefaults.Messaging;

/// <summary>
/// The outbox relay's LISTEN connection. Every committed outbox row announces itself by its id (UnitOfWork), and the
/// relay claims every unsent row at once, so under load most notifications name rows an earlier claim already sent:
/// waking for those cost an empty claim each (BEGIN, the claim, ROLLBACK: 4-5 a order across the services, the most
/// common rollback of the order path). Only a notification naming a row this relay has not sent wakes it; one without
/// an id (an older writer, a hand-made NOTIFY) always does.
/// </summary>
public sealed class OutboxListener : IAsyncDisposable
{
    // Enough for the notifications still queued behind a batch; a forgotten id costs one empty claim, nothing else.
    private const int RememberedRows = 10_000;

    private readonly NpgsqlConnection connection;
    private readonly List<string> announced = [];
    private readonly HashSet<Guid> sent = [];

    private OutboxListener(NpgsqlConnection connection)
    {
        this.connection = connection;
        // Raised on this relay's own thread, inside WaitAsync: nothing else reads this connection.
        connection.Notification += (_, e) => announced.Add(e.Payload);
    }

    public static async Task<OutboxListener> StartAsync(NpgsqlDataSource db, ServiceSchema schema, CancellationToken ct)
    {
        var listener = new OutboxListener(await db.OpenConnectionAsync(ct));
        try
        {
            await listener.connection.ExecuteAsync($"LISTEN \"{schema.OutboxChannel}\"");
            return listener;
        }
        catch
        {
            await listener.DisposeAsync();
            throw;
        }
    }

    /// <summary>Rows this relay published and marked sent: their notifications, still queued, need no claim.</summary>
    public void Sent(IEnumerable<Guid> ids)
    {
        if (sent.Count > RememberedRows) sent.Clear();
        sent.UnionWith(ids);
    }

    /// <summary>
    /// Waits until a row this relay has not sent is announced (true), or until <paramref name="timeout"/> passes (false:
    /// the caller's fallback poll).
    /// </summary>
    public async Task<bool> WaitForUnsentAsync(TimeSpan timeout, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var left = timeout - waited.Elapsed;
            // Whole milliseconds: Npgsql reads a time-out of 0 as "wait forever".
            if (left < TimeSpan.FromMilliseconds(1) || !await connection.WaitAsync(left, ct)) return false;
            var unsent = announced.Exists(payload => !Guid.TryParse(payload, out var id) || !sent.Contains(id));
            announced.Clear();
            if (unsent) return true;
        }
    }

    /// <summary>
    /// Back to the pool without its LISTEN: pools skip the reset of returned connections (NoResetOnClose), and the next
    /// borrower must not receive this relay's notifications. A connection that cannot run UNLISTEN is broken, and
    /// Npgsql does not pool a broken one.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await connection.ExecuteAsync("UNLISTEN *");
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
        }
        await connection.DisposeAsync();
    }
}
