using Npgsql;

namespace ProMTA.ServiceDefaults.Data;

/// <summary>
/// A write that joins a unit of work at its commit: written last in its transaction, so it commits (or rolls back) with
/// the unit's own work instead of costing a transaction of its own.
/// </summary>
public interface ICommitParticipant
{
    Task BeforeCommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction);

    /// <summary>The transaction committed, and with it what <see cref="BeforeCommitAsync"/> wrote.</summary>
    void Committed();
}
