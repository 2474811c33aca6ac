using Npgsql;

namespace ProMTA.Deploy.Tests;

public static class Sql
{
    /// <summary>Runs statements one by one on one connection, as an operator's bootstrap runs them.</summary>
    public static async Task ExecuteAsync(string connectionString, params string[] statements)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
