using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace ProMTA.ServiceDefaults.Http;

/// <summary>The 503 of an outage (a peer or a provider that does not answer): problem details and when to try again.</summary>
public static class UnavailableProblem
{
    /// <summary>How long a caller is asked to wait when a part of the platform (a service, a database) does not answer.</summary>
    public const int PeerRetryAfterSeconds = 5;

    public static ValueTask<bool> WriteAsync(IProblemDetailsService problems, HttpContext http, Exception? exception, int retryAfterSeconds, string title, string detail)
    {
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = title, Detail = detail },
        });
    }
}
