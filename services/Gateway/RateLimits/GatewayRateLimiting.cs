using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace ProMTA.Gateway.RateLimits;

/// <summary>
/// Per-IP limits on the public auth routes, per-credential limits elsewhere; a refusal is a 429 problem with
/// Retry-After. Partitions are keyed by a hash of the credential, never the credential itself.
/// </summary>
public static class GatewayRateLimiting
{
    public const string LoginPolicy = "login";
    public const string SignupPolicy = "signup";

    public static IServiceCollection AddGatewayRateLimiting(this IServiceCollection services, GatewayRateLimitOptions limits) =>
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(LoginPolicy, http => PerMinute(ClientIp(http), limits.LoginPerMinute));
            options.AddPolicy(SignupPolicy, http => PerMinute(ClientIp(http), limits.SignupPerMinute));
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

    private static RateLimitPartition<string> PerMinute(string key, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });

    private static string ClientIp(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static string Caller(HttpContext http)
    {
        var authorization = http.Request.Headers.Authorization.ToString();
        return authorization.Length == 0
            ? "ip:" + ClientIp(http)
            : "credential:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(authorization)));
    }

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
