using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ProMTA.Gateway.RateLimits;

/// <summary>
/// Per-IP limits on the public auth routes; elsewhere one token bucket per authenticated account, or per client IP
/// for a request that did not authenticate (whatever its Authorization header says: junk headers used to get a
/// fresh bucket each). A refusal is a 429 problem with Retry-After.
/// </summary>
public static class GatewayRateLimiting
{
    public const string LoginPolicy = "login";
    public const string SignupPolicy = "signup";
    public const string AccountLinksPolicy = "account-links";

    public static IServiceCollection AddGatewayRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<GatewayRateLimitOptions>().BindConfiguration(GatewayRateLimitOptions.Section)
            .Validate(o => o.LoginPerMinute > 0 && o.SignupPerMinute > 0 && o.AccountLinksPerMinute > 0 && o.RequestsPerSecond > 0 && o.FailedCredentialsPerMinute > 0,
                $"{GatewayRateLimitOptions.Section}: every limit must be positive")
            .ValidateOnStart();
        services.AddSingleton(sp => new FailedCredentialLimiter(sp.GetRequiredService<IOptions<GatewayRateLimitOptions>>().Value));
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<GatewayRateLimitOptions>>((options, configured) =>
        {
            var limits = configured.Value;
            options.AddPolicy(LoginPolicy, http => PerMinute(ClientIp(http), limits.LoginPerMinute));
            options.AddPolicy(SignupPolicy, http => PerMinute(ClientIp(http), limits.SignupPerMinute));
            options.AddPolicy(AccountLinksPolicy, http => PerMinute(ClientIp(http), limits.AccountLinksPerMinute));
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                RateLimitPartition.GetTokenBucketLimiter(Caller(http), _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.RequestsPerSecond,
                    TokensPerPeriod = limits.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
            options.OnRejected = WriteProblemAsync;
        });
        return services;
    }

    public static string ClientIp(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static RateLimitPartition<string> PerMinute(string key, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });

    /// <summary>Runs after authentication: an account is who the gateway verified, never what the client claims.</summary>
    private static string Caller(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true && http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } account
            ? "account:" + account
            : "ip:" + ClientIp(http);

    private static async ValueTask WriteProblemAsync(OnRejectedContext context, CancellationToken ct)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
            detail: $"Slow down: try again in {response.Headers.RetryAfter} s.").ExecuteAsync(context.HttpContext);
    }
}
