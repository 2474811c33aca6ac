using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Delivery.Data;

/// <summary>
/// Retention deletes run a statement that removes at most @Limit rows, again until a slice comes back short: a large
/// backlog (a first run, a run after an outage) never holds one long transaction or one huge WAL burst.
/// </summary>
internal static class SlicedDelete
{
    /// <summary>Runs <paramref name="sql"/> with <paramref name="parameters"/> plus @Limit = <paramref name="slice"/> until it deletes fewer; returns how many in all.</summary>
    public static async Task<long> RunAsync(Database db, string sql, object parameters, int slice, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var arguments = new DynamicParameters(parameters);
        arguments.Add("Limit", slice);
        long deleted = 0;
        int last;
        do
        {
            last = await connection.ExecuteAsync(new CommandDefinition(sql, arguments, cancellationToken: ct));
            deleted += last;
        }
        while (last == slice && !ct.IsCancellationRequested);
        return deleted;
    }
}
