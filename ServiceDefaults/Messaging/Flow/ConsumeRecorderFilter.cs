using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace ProMTA.ServiceDefaults.Messaging.Flow;

/// <summary>
/// Records every consume attempt of every consumer (inside the retry filter, so each retry counts) in the service's
/// own schema: what an operator needs to follow an order across services. Recording never fails the message.
/// </summary>
internal sealed partial class ConsumeRecorderFilter<T>(ConsumedMessages consumed, TimeProvider time, ILogger<ConsumeRecorderFilter<T>> log)
    : IFilter<ConsumeContext<T>> where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var started = time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        try
        {
            await next.Send(context);
            await RecordAsync(context, started, clock.Elapsed, null);
        }
        catch (Exception ex)
        {
            await RecordAsync(context, started, clock.Elapsed, ex);
            throw;
        }
    }

    private async Task RecordAsync(ConsumeContext<T> context, DateTimeOffset started, TimeSpan duration, Exception? fault)
    {
        if (context.MessageId is not { } messageId) return;
        try
        {
            var (orderId, serviceId) = MessageCorrelation.Of(context.Message);
            await consumed.RecordAsync(new ConsumeAttempt(
                messageId, ConsumerName(context), typeof(T).Name, orderId, serviceId, TraceIdOf(Activity.Current),
                started, duration, fault is null ? ConsumeAttempt.Consumed : ConsumeAttempt.Faulted,
                fault is null ? null : $"{fault.GetType().Name}: {fault.Message}"));
        }
        catch (Exception ex)
        {
            LogRecordFailed(ex, messageId);
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
