namespace ProMTA.Delivery.Outbound.Egress;

/// <summary>
/// Whether transactional mail waits on an egress path (for the path's turn at a destination, a permit or a session):
/// while it does, bulk batches on the path take no permit and let go of their session and destination slot between
/// two messages, so the transactional message goes next. Counted, not locked: bulk only looks, transactional enters.
/// </summary>
internal sealed class TransactionalDemand
{
    private readonly Lock gate = new();
    private int waiting;
    private TaskCompletionSource arrived = NewSignal();
    private TaskCompletionSource cleared = Completed();

    public bool IsWaiting
    {
        get
        {
            lock (gate) return waiting > 0;
        }
    }

    /// <summary>Completes when transactional mail waits (at once if it does now).</summary>
    public Task Arrived()
    {
        lock (gate) return arrived.Task;
    }

    /// <summary>Completes when no transactional mail waits any more (at once if none does now).</summary>
    public Task Cleared()
    {
        lock (gate) return cleared.Task;
    }

    /// <summary>A transactional message starts waiting; dispose when it has its permit and session (or gives up).</summary>
    public IDisposable Enter()
    {
        TaskCompletionSource? fire;
        lock (gate)
        {
            fire = waiting++ == 0 ? arrived : null;
            if (fire is not null) cleared = NewSignal();
        }
        fire?.TrySetResult();
        return new Exit(this);
    }

    private void Leave()
    {
        TaskCompletionSource? fire;
        lock (gate)
        {
            fire = --waiting == 0 ? cleared : null;
            if (fire is not null) arrived = NewSignal();
        }
        fire?.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource Completed()
    {
        var done = NewSignal();
        done.SetResult();
        return done;
    }

    private sealed class Exit(TransactionalDemand demand) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) demand.Leave();
        }
    }
}
