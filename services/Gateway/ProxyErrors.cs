using ProMTA.ServiceDefaults.Http;
using Yarp.ReverseProxy.Forwarder;

namespace ProMTA.Gateway;

/// <summary>
/// A service behind the gateway that does not answer (stopped, restarting, past the proxy's timeout): YARP answers 502
/// or 504, with no Retry-After and no word of what to do. The public API answers every outage one way, a 503 problem with a Retry-After, as the
/// services do when their own database or a peer is away. Whether the service acted on the request is unknown here (a
/// connection can break after the request was sent), so the detail points to the Idempotency-Key instead of promising
/// that nothing changed.
/// </summary>
public static class ProxyErrors
{
    public static IApplicationBuilder UseProxyErrorProblems(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        await next(http);
        if (http.GetForwarderErrorFeature() is not { } error || http.Response.HasStarted || http.RequestAborted.IsCancellationRequested
            || http.Response.StatusCode < StatusCodes.Status500InternalServerError)
        {
            return;
        }
        http.Response.Clear();
        await UnavailableProblem.WriteAsync(http.RequestServices.GetRequiredService<IProblemDetailsService>(), http, error.Exception,
            UnavailableProblem.PeerRetryAfterSeconds, "Temporarily unavailable",
            "A part of the platform this request needs did not answer. Try again in a few seconds; a request sent with an Idempotency-Key is safe to repeat.");
    });
}
