using Microsoft.Extensions.Options;

namespace ProMTA.Dns.PowerDns;

/// <summary>
/// How many writes this service sends PowerDNS at once (PowerDns:ConcurrentWrites). Its SQLite backend, which local
/// runs use, has one writer: a second concurrent PATCH fails at once with "database is locked" (a 500), the resilience
/// handler retries, and enough failures open its circuit, which then fails every PowerDNS call, reads too, for seconds.
/// Under 200 orders that was 190 failed writes and orders waiting tens of seconds for their PTR records. Waiting here
/// costs a write a few milliseconds instead. A PostgreSQL-backed PowerDNS (production) may take more.
/// </summary>
public sealed class PowerDnsWriteGate(IOptions<PowerDnsOptions> options) : IDisposable
{
    private readonly SemaphoreSlim gate = new(options.Value.ConcurrentWrites);

    public async Task<T> WriteAsync<T>(Func<Task<T>> write, CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            return await write();
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}
