using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ProMTA.ServiceDefaults.Data;
using Xunit;

namespace ProMTA.ServiceDefaults.Tests;

/// <summary>
/// Start-up work retries while PostgreSQL restarts, also when the lost connection arrives wrapped (DbUp reports it
/// inside its result and the migrator throws that), and fails at once on a real error such as a bad script.
/// </summary>
public sealed class StartupRetryTests
{
    [Fact]
    public async Task A_connection_lost_inside_a_wrapped_failure_is_retried()
    {
        var attempts = await RunAsync(new InvalidOperationException("Migration 0003 failed",
            new NpgsqlException("Exception while reading from stream", new SocketException((int)SocketError.ConnectionReset))));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task A_server_shutting_down_is_retried()
    {
        var attempts = await RunAsync(new PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01"));
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task A_bad_script_fails_at_once()
    {
        var error = new InvalidOperationException("Migration 0003 failed", new PostgresException("syntax error", "ERROR", "ERROR", "42601"));
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(error));
        Assert.Same(error, thrown);
    }

    /// <summary>Work that fails once with <paramref name="first"/>, then succeeds; returns how often it ran.</summary>
    private static async Task<int> RunAsync(Exception first)
    {
        var attempts = 0;
        await StartupRetry.RunAsync(_ => ++attempts == 1 ? Task.FromException(first) : Task.CompletedTask, "test work", NullLogger.Instance, CancellationToken.None);
        return attempts;
    }
}
