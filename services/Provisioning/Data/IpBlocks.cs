using Dapper;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Provisioning.Data;

public sealed record IpBlockSummary(string Cidr, string? Note, int Free, int Allocated, int Quarantined, int Blocked);

public enum AddressChange { Done, NotFound, WrongState }

/// <summary>The pool's blocks and the operator's actions on single addresses.</summary>
public static class IpBlocks
{
    private const string OverlapsSql = "SELECT EXISTS (SELECT 1 FROM ip_blocks WHERE cidr && @Cidr::cidr)";
    private const string InsertBlockSql = "INSERT INTO ip_blocks (cidr, added_at, note) VALUES (@Cidr::cidr, @Now, @Note)";
    // Every host address of the block (as /32, like the rest of the pool): not the network and broadcast addresses.
    private const string InsertAddressesSql = """
        INSERT INTO ip_addresses (address, block)
        SELECT host(network(@Cidr::cidr) + i)::inet, @Cidr::cidr FROM generate_series(1, @Hosts) AS i
        ON CONFLICT (address) DO NOTHING
        """;
    private const string SummarySql = """
        SELECT host(b.cidr) || '/' || masklen(b.cidr) AS cidr, b.note,
               count(*) FILTER (WHERE a.state = 'free')::int AS free,
               count(*) FILTER (WHERE a.state = 'allocated')::int AS allocated,
               count(*) FILTER (WHERE a.state = 'quarantined')::int AS quarantined,
               count(*) FILTER (WHERE a.state = 'blocked')::int AS blocked
        FROM ip_blocks b LEFT JOIN ip_addresses a ON a.block = b.cidr
        GROUP BY b.cidr, b.note ORDER BY b.cidr
        """;
    private const string StateSql = "SELECT state FROM ip_addresses WHERE address = @Address::inet FOR UPDATE";
    // An allocated address belongs to a live service: it is taken out only by decommissioning, never under its feet.
    private const string BlockSql = """
        UPDATE ip_addresses SET state = 'blocked', blocked_reason = @Reason, quarantined_until = NULL
        WHERE address = @Address::inet AND state IN ('free', 'quarantined', 'blocked')
        """;
    private const string UnblockSql = """
        UPDATE ip_addresses SET state = 'free', blocked_reason = NULL WHERE address = @Address::inet AND state = 'blocked'
        """;

    /// <summary>Adds a block and its host addresses as free; false when it overlaps a block already in the pool.</summary>
    public static async Task<bool> AddAsync(UnitOfWork work, string cidr, int hosts, string? note, DateTimeOffset now)
    {
        if (await work.ExecuteScalarAsync<bool>(OverlapsSql, new { Cidr = cidr })) return false;
        await work.ExecuteAsync(InsertBlockSql, new { Cidr = cidr, Now = now, Note = note });
        await work.ExecuteAsync(InsertAddressesSql, new { Cidr = cidr, Hosts = hosts });
        return true;
    }

    public static async Task<IReadOnlyList<IpBlockSummary>> SummaryAsync(Database db, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<IpBlockSummary>(new CommandDefinition(SummarySql, cancellationToken: ct))).ToList();
    }

    public static Task<AddressChange> BlockAsync(UnitOfWork work, string address, string reason) =>
        ChangeAsync(work, address, BlockSql, new { Address = address, Reason = reason });

    public static Task<AddressChange> UnblockAsync(UnitOfWork work, string address) =>
        ChangeAsync(work, address, UnblockSql, new { Address = address });

    private static async Task<AddressChange> ChangeAsync(UnitOfWork work, string address, string sql, object parameters)
    {
        if (await work.QuerySingleOrDefaultAsync<string>(StateSql, new { Address = address }) is null) return AddressChange.NotFound;
        return await work.ExecuteAsync(sql, parameters) == 1 ? AddressChange.Done : AddressChange.WrongState;
    }
}
