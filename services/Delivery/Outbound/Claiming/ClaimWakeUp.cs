namespace ProMTA.Delivery.Outbound.Claiming;

/// <summary>
/// The relay tells this process's claim loop that transactional mail was queued, so it claims at once instead of at its
/// next poll (each replica wakes only its own loop; another replica's mail waits for the poll interval there).
/// </summary>
internal sealed class ClaimWakeUp
{
    private readonly Lock gate = new();
    private TaskCompletionSource signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="TransactionalQueued"/> after this call.</summary>
    public Task Next()
    {
        lock (gate) return signal.Task;
    }

    public void TransactionalQueued()
    {
        TaskCompletionSource fired;
        lock (gate)
        {
            fired = signal;
            signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        fired.TrySetResult();
    }
}
