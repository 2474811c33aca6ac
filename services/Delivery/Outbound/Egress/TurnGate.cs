namespace ProMTA.Delivery.Outbound.Egress;

/// <summary>
/// A counting gate whose transactional waiters are let in before bulk ones: priority has to act where mail queues for
/// a scarce slot (a destination's sessions, the ready queue's batches), not only in the claim. <paramref name="reserved"/>
/// of the slots are transactional mail's own: bulk never takes them, so transactional mail finds one while bulk fills
/// the rest.
/// </summary>
internal sealed class TurnGate(int slots, int reserved = 0)
{
    private readonly Lock gate = new();
    private readonly Queue<TaskCompletionSource> transactional = new();
    private readonly Queue<TaskCompletionSource> bulk = new();
    private int inUse;

    public int Slots { get; } = Math.Max(1, slots);

    /// <summary>What bulk may hold at most; never less than one slot, so bulk always moves.</summary>
    private int BulkSlots => Math.Max(1, Slots - Math.Max(0, reserved));

    public async Task WaitAsync(bool isTransactional, CancellationToken ct)
    {
        TaskCompletionSource turn;
        lock (gate)
        {
            DropCancelled(transactional);
            DropCancelled(bulk);
            // Bulk does not pass a transactional waiter, nor an earlier bulk one.
            var free = isTransactional ? inUse < Slots : inUse < BulkSlots && transactional.Count == 0 && bulk.Count == 0;
            if (free)
            {
                inUse++;
                return;
            }
            turn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (isTransactional ? transactional : bulk).Enqueue(turn);
        }
        await using (ct.Register(() => turn.TrySetCanceled(ct)))
        {
            await turn.Task;
        }
    }

    /// <summary>
    /// Waits for a slot until <paramref name="until"/> at the latest (by <paramref name="time"/>): false when the time ran
    /// out first (no slot is held then; a slot freed later goes to the next waiter).
    /// </summary>
    public async Task<bool> WaitAsync(bool isTransactional, DateTimeOffset until, TimeProvider time, CancellationToken ct)
    {
        var left = until - time.GetUtcNow();
        if (left <= TimeSpan.Zero) return false;
        using var timeout = new CancellationTokenSource(left, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            await WaitAsync(isTransactional, either.Token);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Release()
    {
        lock (gate)
        {
            inUse--;
            // Hand the slot on: transactional waiters first; a waiter that gave up (cancelled) is skipped.
            while (inUse < Slots && transactional.TryDequeue(out var next))
            {
                if (next.TrySetResult()) inUse++;
            }
            while (inUse < BulkSlots && bulk.TryDequeue(out var next))
            {
                if (next.TrySetResult()) inUse++;
            }
        }
    }

    private static void DropCancelled(Queue<TaskCompletionSource> waiters)
    {
        while (waiters.TryPeek(out var head) && head.Task.IsCompleted) waiters.Dequeue();
    }
}
