using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace ProMTA.ServiceDefaults.Messaging.Faults;

/// <summary>
/// Throws on the first attempt at a chosen share of messages, as a briefly unavailable dependency would; the
/// retry policy must then deliver them. Which messages fail is decided by a hash of the message id and the
/// receiving queue, so one run's choices are reproducible and two consumers of one event decide independently.
/// </summary>
public sealed partial class TransientFaultFilter<T>(FaultInjectionOptions options, FaultJournal journal, ILogger<TransientFaultFilter<T>> log)
    : IFilter<ConsumeContext<T>> where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        if (IsFirstAttempt(context) && IsChosen(context))
        {
            var queue = context.ReceiveContext.InputAddress?.AbsolutePath.Trim('/') ?? "unknown";
            LogInjected(typeof(T).Name, context.MessageId, queue);
            journal.Record(queue, typeof(T).Name, context.MessageId);
            throw new InjectedTransientFaultException($"Injected transient fault for {typeof(T).Name} {context.MessageId} on {queue}");
        }
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("transientFault");

    private static bool IsFirstAttempt(ConsumeContext context) => context.GetRetryAttempt() == 0 && context.GetRedeliveryCount() == 0;

    private bool IsChosen(ConsumeContext context)
    {
        var key = Encoding.UTF8.GetBytes($"{context.MessageId}|{context.ReceiveContext.InputAddress}");
        return BinaryPrimitives.ReadUInt32LittleEndian(SHA256.HashData(key)) % 100 < (uint)options.TransientConsumerFailurePercent;
    }

    [LoggerMessage(LogLevel.Warning, "Fault injection: first delivery of {MessageType} {MessageId} on {Queue} throws")]
    private partial void LogInjected(string messageType, Guid? messageId, string queue);
}

public sealed class InjectedTransientFaultException(string message) : Exception(message);
