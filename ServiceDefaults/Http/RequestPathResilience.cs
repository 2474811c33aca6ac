using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace ProMTA.ServiceDefaults.Http;

/// <summary>
/// For a client that one of our services calls while its own caller waits (the gateway asking Ordering who a
/// credential belongs to, on every authenticated request): one retry after a short pause, which covers a refused
/// connection while a replica restarts, and never the peer's Retry-After. Our services answer an outage of their
/// database with 503 and "Retry-After: 5", meant for the API's client; the standard handler honours it on each of its
/// three retries, so every request through the gateway waited 15 s to get the same 503.
/// </summary>
public static class RequestPathResilience
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(5);

    public static IHttpClientBuilder AddRequestPathResilience(this IHttpClientBuilder builder)
    {
        // RemoveAllResilienceHandlers is marked for evaluation (since 9.0); it is the documented way to take a client
        // out of ConfigureHttpClientDefaults' standard handler.
#pragma warning disable EXTEXP0001
        builder.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.AddResilienceHandler("request-path", pipeline => pipeline
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 1,
                Delay = RetryDelay,
                BackoffType = DelayBackoffType.Constant,
                ShouldRetryAfterHeader = false,
            })
            .AddTimeout(AttemptTimeout));
        return builder;
    }
}
