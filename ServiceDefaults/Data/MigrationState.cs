using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ProMTA.ServiceDefaults.Data;

public sealed class MigrationState
{
    private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Completed => done.Task;

    public void MarkCompleted() => done.TrySetResult();
}

internal sealed class MigrationHealthCheck(MigrationState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Completed.IsCompletedSuccessfully
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("database migrations have not completed"));
}
