using Microsoft.AspNetCore.Diagnostics;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Billing.Stripe;

/// <summary>
/// Stripe unreachable, timing out or answering 5xx/429 is an outage of a dependency, not a fault of the request: the
/// caller gets 503 with a Retry-After and a reason instead of a 500. Every charge is keyed by its business operation
/// (and the charge intents of the first month and of upgrades are completed by ChargeIntentRecovery), so repeating the
/// request never charges twice.
/// </summary>
internal sealed class StripeUnavailableHandler(IProblemDetailsService problems) : IExceptionHandler
{
    private const int RetryAfterSeconds = 60;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!IsOutage(exception, http.RequestAborted)) return false;
        return await UnavailableProblem.WriteAsync(problems, http, exception, RetryAfterSeconds, "Payment provider unavailable",
            "Stripe did not answer. Nothing was charged twice: try again in a minute.");
    }

    private static bool IsOutage(Exception exception, CancellationToken requestAborted) => exception switch
    {
        HttpRequestException => true,
        // HttpClient's own timeout, not the caller hanging up.
        TaskCanceledException { InnerException: TimeoutException } => !requestAborted.IsCancellationRequested,
        global::Stripe.StripeException { HttpStatusCode: var status } => (int)status >= 500 || (int)status == 429 || status == 0,
        _ => false,
    };
}
