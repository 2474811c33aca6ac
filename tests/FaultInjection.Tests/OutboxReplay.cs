using Dapper;
using Npgsql;

namespace ProMTA.FaultInjection;

/// <summary>
/// Delivers messages twice the way it happens for real: a relay that published but crashed before marking the row
/// sent publishes it again with the same MessageId. Here the rows are simply marked unsent again.
/// </summary>
public static class OutboxReplay
{
    public static async Task<IReadOnlyList<Guid>> ReplayAsync(string connectionString, string schema, int count, Random random, CancellationToken ct)
    {
        // Other faults run meanwhile: PostgreSQL may be restarting right now.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ReplayOnceAsync(connectionString, schema, count, random, ct);
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException && attempt < 120)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    private static async Task<IReadOnlyList<Guid>> ReplayOnceAsync(string connectionString, string schema, int count, Random random, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var sent = (await connection.QueryAsync<Guid>($"SELECT id FROM \"{schema}\".outbox_messages WHERE sent_at IS NOT NULL")).ToList();
        var chosen = sent.OrderBy(_ => random.Next()).Take(count).ToArray();
        await connection.ExecuteAsync($"UPDATE \"{schema}\".outbox_messages SET sent_at = NULL WHERE id = ANY(@Ids)", new { Ids = chosen });
        await connection.ExecuteAsync("SELECT pg_notify(@Channel, '')", new { Channel = $"outbox_{schema}" });
        return chosen;
    }
}
