using System.Collections.Concurrent;

namespace StripeEmulator.Latency;

/// <summary>
/// Benchmarks ask two things of the emulator that real Stripe has and a loopback server lacks: the time an API call
/// takes (<see cref="ApiLatency"/>, a delay before each /v1 request is answered; zero by default) and how many calls
/// were made (counted per method and resource, read at GET /_emulator/requests).
/// </summary>
public sealed class ApiLatencyMiddleware(RequestDelegate next, ApiLatency latency, ApiCallCounter counter)
{
    public async Task InvokeAsync(HttpContext context)
    {
        counter.Count(context.Request.Method, context.Request.Path);
        if (latency.Delay > TimeSpan.Zero) await Task.Delay(latency.Delay, context.RequestAborted);
        await next(context);
    }
}

/// <summary>How long each API call takes: Emulator:ApiLatency at start; a benchmark hosting the emulator may change it.</summary>
public sealed class ApiLatency(IConfiguration configuration)
{
    public TimeSpan Delay { get; set; } = configuration.GetValue("Emulator:ApiLatency", TimeSpan.Zero);
}

/// <summary>Calls to the Stripe API per "METHOD /v1/resource" since the emulator started.</summary>
public sealed class ApiCallCounter
{
    private readonly ConcurrentDictionary<string, long> calls = new();

    public void Count(string method, PathString path)
    {
        // The resource, not the object id: "/v1/payment_intents/pi_123/confirm" counts as "POST /v1/payment_intents".
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        calls.AddOrUpdate($"{method} /{string.Join('/', segments.Take(2))}", 1, (_, n) => n + 1);
    }

    public IReadOnlyDictionary<string, long> Snapshot() => new SortedDictionary<string, long>(calls, StringComparer.Ordinal);
}
