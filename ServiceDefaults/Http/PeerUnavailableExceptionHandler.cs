using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Npgsql;

namespace ProMTA.ServiceDefaults.Http;

/// <summary>
/// A part of the platform this request needed did not answer: a platform service (its circuit is open, the call timed
/// out, the connection was refused) or the service's own database (Npgsql's transient errors: refused or lost
/// connection, no free pooled connection within the pool's timeout, a restart, too many clients, a deadlock).
/// 503 with a Retry-After, not a 500. It is an outage the caller should retry, not a fault of the request,
/// and a handled exception writes no error log with a stack trace per request (the gateway wrote one for every request
/// while Ordering restarted, ~100 lines each, and swamped the local run's log pipe).
/// </summary>
internal sealed class PeerUnavailableExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var detail = exception switch
        {
            Polly.CircuitBreaker.BrokenCircuitException or Polly.Timeout.TimeoutRejectedException or HttpRequestException =>
                "A part of the platform this request needs did not answer. Nothing was changed by this request; try again in a few seconds.",
            // Not "nothing was changed": a connection lost during COMMIT leaves that unknown; a retry with the same
            // Idempotency-Key is what makes it safe either way.
            NpgsqlException { IsTransient: true } =>
                "The platform's database did not answer in time. Try again in a few seconds; a request sent with an Idempotency-Key is safe to repeat.",
            _ => null,
        };
        return detail is not null
            && await UnavailableProblem.WriteAsync(problems, http, exception, UnavailableProblem.PeerRetryAfterSeconds, "Temporarily unavailable", detail);
    }
}
