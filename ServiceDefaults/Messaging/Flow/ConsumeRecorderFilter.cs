using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.ServiceDefaults.Messaging.Flow;

/// <summary>
/// Records every consume attempt of every consumer (inside the retry filter, so each retry counts) in the service's
/// own schema: what an operator needs to follow an order across services. A record the recorder writes itself never
/// fails the message; one written in the consumer's transaction commits or fails with its work (the retry records again).
/// An attempt whose work commits is recorded in the consumer's transaction (<see cref="AttemptRecording"/>); the
/// recorder writes the others itself, and corrects the duration of a consumer that went on working after its commit.
/// </summary>
internal sealed partial class ConsumeRecorderFilter<T>(ConsumedMessages consumed, TimeProvider time, ILogger<ConsumeRecorderFilter<T>> log)
    : IFilter<ConsumeContext<T>> where T : class
{
    // Work after the commit shorter than this is left out of the recorded duration rather than paid for with one more
    // write; a consumer that calls out after its commit (Billing's first month: Stripe) gets its whole duration.
    private static readonly TimeSpan AfterCommitTolerance = TimeSpan.FromMilliseconds(20);

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var clock = Stopwatch.StartNew();
        var recording = Begin(context, clock);
        if (recording is not null) context.AddOrUpdatePayload<ICommitParticipant>(() => recording, _ => recording);
        try
        {
            await next.Send(context);
            if (recording?.CommittedAfter is { } committed && clock.Elapsed - committed < AfterCommitTolerance) return;
            await RecordAsync(recording, clock.Elapsed, null);
        }
        catch (Exception ex)
        {
            await RecordAsync(recording, clock.Elapsed, ex);
            throw;
        }
    }

    private AttemptRecording? Begin(ConsumeContext<T> context, Stopwatch clock)
    {
        if (context.MessageId is not { } messageId) return null;
        try
        {
            var (orderId, serviceId) = MessageCorrelation.Of(context.Message);
            return new AttemptRecording(new ConsumeAttempt(
                messageId, ConsumerName(context), typeof(T).Name, orderId, serviceId, TraceIdOf(Activity.Current),
                time.GetUtcNow(), TimeSpan.Zero, ConsumeAttempt.Consumed, null), clock);
        }
        catch (Exception ex)
        {
            LogRecordFailed(ex, messageId);
            return null;
        }
    }

    private async Task RecordAsync(AttemptRecording? recording, TimeSpan duration, Exception? fault)
    {
        if (recording is null) return;
        var attempt = recording.Ended(duration, fault);
        try
        {
            await consumed.RecordAsync(attempt, newAttempt: recording.CommittedAfter is null);
        }
        catch (Exception ex)
        {
            LogRecordFailed(ex, attempt.MessageId);
        }
    }

    private static string? TraceIdOf(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C } && activity.TraceId != default ? activity.TraceId.ToHexString() : null;

    /// <summary>The receive queue ("{service}-{consumer}"): one consumer per queue, and the name its _error queue extends.</summary>
    internal static string ConsumerName(ConsumeContext context) => context.ReceiveContext.InputAddress.AbsolutePath.Split('/')[^1];

    public void Probe(ProbeContext context) => context.CreateFilterScope("consumeRecorder");

    [LoggerMessage(LogLevel.Warning, "Could not record the consumption of message {MessageId}")]
    private partial void LogRecordFailed(Exception ex, Guid messageId);
}
