using Microsoft.Extensions.Options;
using ProMTA.Provisioning.Datacenter;
using ProMTA.Timing;

namespace ProMTA.Provisioning.Setup;

/// <summary>Datacenter calls retried with doubling waits (<see cref="ProvisioningOptions.RetryDelay"/> up to <see cref="ProvisioningOptions.RetryMaxDelay"/>); what still fails after the last attempt is a <see cref="DatacenterGaveUpException"/>.</summary>
public sealed partial class DatacenterRetry(IOptions<ProvisioningOptions> options, TimeProvider time, ILogger<DatacenterRetry> log)
{
    public async Task<T> RunAsync<T>(string step, Func<Task<T>> call, CancellationToken ct)
    {
        var waits = new Backoff(options.Value.RetryDelay, options.Value.RetryMaxDelay);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (DatacenterException e) when (attempt < options.Value.Attempts)
            {
                var wait = waits.After(attempt);
                LogRetry(step, attempt, wait, e.Message);
                await Task.Delay(wait, time, ct);
            }
            catch (DatacenterException e)
            {
                throw new DatacenterGaveUpException(step, attempt, e);
            }
        }
    }

    public Task RunAsync(string step, Func<Task> call, CancellationToken ct) =>
        RunAsync(step, async () => { await call(); return true; }, ct);

    [LoggerMessage(LogLevel.Warning, "Datacenter {Step} failed (attempt {Attempt}), retrying in {Delay}: {Reason}")]
    private partial void LogRetry(string step, int attempt, TimeSpan delay, string reason);
}

public sealed class DatacenterGaveUpException(string step, int attempts, Exception inner)
    : Exception($"{step} failed {attempts} times: {inner.Message}", inner)
{
    public int Attempts => attempts;
}
