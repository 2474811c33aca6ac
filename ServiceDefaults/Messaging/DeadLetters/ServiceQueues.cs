using System.Collections.Concurrent;
using MassTransit;

namespace ProMTA.ServiceDefaults.Messaging.DeadLetters;

/// <summary>
/// The service's receive queues as MassTransit configures them ("{service}-{consumer}"), each with its "_error" queue
/// where a message lands after its last retry, and which of those just had a consumer fault (MassTransit creates an
/// _error queue only when its first message arrives). The bus's own temporary queue is left out.
/// </summary>
public sealed class ServiceQueues(string serviceName) : IEndpointConfigurationObserver, IReceiveObserver
{
    public const string ErrorSuffix = "_error";
    private static readonly TimeSpan FaultMemory = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, byte> names = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> faults = new();

    public string Service => serviceName;

    public IReadOnlyList<string> Names => [.. names.Keys.Order(StringComparer.Ordinal)];

    public IEnumerable<string> ErrorQueues => Names.Select(n => n + ErrorSuffix);

    public bool OwnsErrorQueue(string errorQueue) =>
        errorQueue.EndsWith(ErrorSuffix, StringComparison.Ordinal) && names.ContainsKey(errorQueue[..^ErrorSuffix.Length]);

    /// <summary>Whether a consumer of this queue faulted lately, so its _error queue may have just been created.</summary>
    public bool RecentlyFaulted(string errorQueue) =>
        faults.TryGetValue(errorQueue, out var at) && DateTimeOffset.UtcNow - at < FaultMemory;

    public void EndpointConfigured<T>(T configurator) where T : IReceiveEndpointConfigurator
    {
        var name = QueueOf(configurator.InputAddress);
        if (name.StartsWith($"{serviceName}-", StringComparison.Ordinal)) names.TryAdd(name, 0);
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class
    {
        faults[QueueOf(context.ReceiveContext.InputAddress) + ErrorSuffix] = DateTimeOffset.UtcNow;
        return Task.CompletedTask;
    }

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostReceive(ReceiveContext context) => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;

    public Task ReceiveFault(ReceiveContext context, Exception exception) => Task.CompletedTask;

    private static string QueueOf(Uri address) => address.AbsolutePath.Split('/')[^1];
}
