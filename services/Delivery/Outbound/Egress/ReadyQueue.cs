using ProMTA.Delivery.Data;
using ProMTA.Delivery.Outbound.Dispatch;
using ProMTA.Delivery.Outbound.Outcome;

namespace ProMTA.Delivery.Outbound.Egress;

/// <summary>
/// Claimed batches on their way out: each runs through the dispatcher (which waits for its session slots,
/// <see cref="SessionSlots"/>) and the outcome step on its own, while the claim loop goes on claiming. Counts every
/// batch against its egress path until its outcomes are written, so the loop never claims for a path more than it has
/// room for.
/// </summary>
internal sealed partial class ReadyQueue(Dispatcher dispatcher, RecipientOutcomes outcomes, ILogger<ReadyQueue> log)
{
    private readonly Lock gate = new();
    private readonly List<Task> running = [];
    private TaskCompletionSource progress = NewSignal();

    /// <summary>Completes when a batch has finished since the last call (the claim loop may have room again).</summary>
    public Task NextCompletion()
    {
        lock (gate) return progress.Task;
    }

    public void Enqueue(DestinationBatch batch, CancellationToken ct)
    {
        batch.Path.Claimed(batch.Recipients.Count, batch.Transactional);
        var run = RunAsync(batch, ct);
        lock (gate) running.Add(run);
    }

    /// <summary>Waits for every batch under way (at shutdown: what they did is written before the host stops).</summary>
    public Task DrainAsync()
    {
        lock (gate) return Task.WhenAll(running.ToList());
    }

    private async Task RunAsync(DestinationBatch batch, CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            List<RecipientResult> results;
            try
            {
                results = await dispatcher.DeliverAsync(batch, ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // One destination's surprise must not hold its recipients for a whole lease: retry them.
                LogBatchFailed(ex, batch.Domain);
                var failure = new MailPolicy.Replies.SmtpReply(451, $"4.3.0 Local error delivering to {batch.Domain}");
                results = [.. batch.Recipients.Select(r => outcomes.Replied(r, failure, batch.Path.SourceIp, batch.Path.Provider))];
            }
            await outcomes.CompleteAsync(results, ct);
        }
        catch (Exception ex)
        {
            // Stopping, or the results could not be written: the recipients come back when their lease ends.
            if (!ct.IsCancellationRequested) LogCompleteFailed(ex, batch.Domain);
        }
        finally
        {
            batch.Path.Completed(batch.Recipients.Count, batch.Transactional);
            TaskCompletionSource done;
            lock (gate)
            {
                running.RemoveAll(t => t.IsCompleted);
                done = progress;
                progress = NewSignal();
            }
            done.TrySetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(LogLevel.Error, "Delivering to {Domain} failed; its recipients are deferred")]
    private partial void LogBatchFailed(Exception ex, string domain);

    [LoggerMessage(LogLevel.Error, "Writing the results of a batch to {Domain} failed; its recipients come back when their lease ends")]
    private partial void LogCompleteFailed(Exception ex, string domain);
}
