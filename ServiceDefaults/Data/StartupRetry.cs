using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ProMTA.ServiceDefaults.Data;

/// <summary>
/// Start-up work against PostgreSQL (migrations, seed rows) retried with backoff while the database cannot be
/// reached, e.g. while it restarts: a service that starts during a PostgreSQL restart must wait, not exit.
/// </summary>
public static partial class StartupRetry
{
    private const int Attempts = 30;

    public static async Task RunAsync(Func<CancellationToken, Task> work, string what, ILogger log, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await work(ct);
                return;
            }
            catch (Exception ex) when (attempt < Attempts && IsUnreachableDatabase(ex))
            {
                LogRetry(log, ex, what, attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), ct);
            }
        }
    }

    /// <summary>Anywhere in the chain: DbUp reports a lost connection inside its own result, which the migrator wraps.</summary>
    private static bool IsUnreachableDatabase(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException) return true;
            // The server answered with an error: only its shutting down or starting up (57P..) counts, not a bad script.
            if (ex is PostgresException server) return server.IsTransient || server.SqlState.StartsWith("57P", StringComparison.Ordinal);
            if (ex is NpgsqlException) return true;
        }
        return false;
    }

    [LoggerMessage(LogLevel.Warning, "{What} failed (attempt {Attempt}); retrying")]
    private static partial void LogRetry(ILogger log, Exception ex, string what, int attempt);
}
