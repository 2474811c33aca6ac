using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace ProMTA.ServiceDefaults.Http;

/// <summary>
/// The service's database did not answer in time or turned the request away for a reason that passes (refused or lost
/// connection, no free pooled connection within the pool's timeout, a restart, too many clients, a deadlock): Npgsql
/// calls these transient. 503 with a Retry-After, not a 500: it is an outage the caller should retry, not a fault of
/// the request, and a handled exception writes no error log with a stack trace per request.
/// </summary>
internal sealed class DatabaseUnavailableExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is not NpgsqlException { IsTransient: true }) return false;
        // Not "nothing was changed": a connection lost during COMMIT leaves that unknown; a retry with the same
        // Idempotency-Key is what makes it safe either way.
        return await UnavailableProblem.WriteAsync(problems, http, exception, RetryAfterSeconds, "Temporarily unavailable",
            "The platform's database did not answer in time. Try again in a few seconds; a request sent with an Idempotency-Key is safe to repeat.");
    }
}
