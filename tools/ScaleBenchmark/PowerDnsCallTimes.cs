using System.Collections.Concurrent;
using System.Diagnostics;

namespace ProMTA.ScaleBenchmark;

/// <summary>
/// Times every request Dns sends PowerDNS's API (each attempt: it sits inside the resilience handler, so a retry shows
/// as one more call), grouped by method, kind of zone and status, to show where the seeding's time goes.
/// </summary>
public sealed class PowerDnsCallTimes
{
    private readonly ConcurrentDictionary<string, (int Calls, double Milliseconds, long Bytes)> totals = new();

    /// <summary>A handler for the client's pipeline (the factory builds a new one each time it renews the pipeline).</summary>
    public DelegatingHandler Handler() => new Timing(this);

    private sealed class Timing(PowerDnsCallTimes times) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            var response = await base.SendAsync(request, ct);
            await response.Content.LoadIntoBufferAsync(ct);
            times.Add(request, response, watch.Elapsed.TotalMilliseconds);
            return response;
        }
    }

    private void Add(HttpRequestMessage request, HttpResponseMessage response, double elapsed)
    {
        var bytes = response.Content.Headers.ContentLength ?? 0;
        var key = $"{request.Method} {ZoneKind(request.RequestUri)} {(int)response.StatusCode}";
        totals.AddOrUpdate(key, (1, elapsed, bytes), (_, t) => (t.Calls + 1, t.Milliseconds + elapsed, t.Bytes + bytes));
    }

    public void Print(int services)
    {
        Console.WriteLine("| PowerDNS API call | calls | per service | mean ms | total s | mean bytes |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (key, t) in totals.OrderByDescending(t => t.Value.Milliseconds))
        {
            Console.WriteLine($"| {key} | {t.Calls} | {(double)t.Calls / services:0.0} | {t.Milliseconds / t.Calls:0.0} | {t.Milliseconds / 1000:0.0} | {t.Bytes / t.Calls} |");
        }
        totals.Clear();
    }

    private static string ZoneKind(Uri? uri)
    {
        var zone = uri?.AbsolutePath.Split('/').LastOrDefault() ?? "";
        return zone switch
        {
            "zones" => "zones",
            _ when zone.EndsWith(".in-addr.arpa.", StringComparison.Ordinal) => "reverse zone",
            _ when zone.EndsWith(".fleet.test.", StringComparison.Ordinal) => "sending domain zone",
            _ => "host zone",
        };
    }
}
