using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace ProMTA.ServiceDefaults.Http;

/// <summary>
/// A platform service this request needed did not answer (its circuit is open, the call timed out, the connection was
/// refused): 503 with a Retry-After, not a 500. It is an outage the caller should retry, not a fault of the request,
/// and a handled exception writes no error log with a stack trace per request (the gateway wrote one for every request
/// while Ordering restarted, ~100 lines each, and swamped the local run's log pipe).
/// </summary>
internal sealed class PeerUnavailableExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is not (Polly.CircuitBreaker.BrokenCircuitException or Polly.Timeout.TimeoutRejectedException or HttpRequestException)) return false;
        return await UnavailableProblem.WriteAsync(problems, http, exception, RetryAfterSeconds, "Temporarily unavailable",
            "A part of the platform this request needs did not answer. Nothing was changed by this request; try again in a few seconds.");
    }
}
