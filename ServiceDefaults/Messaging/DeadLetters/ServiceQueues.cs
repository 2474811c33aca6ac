using System.Collections.Concurrent;
using MassTransit;

namespace ProMTA.ServiceDefaults.Messaging.DeadLetters;

/// <summary>
/// The service's receive queues as MassTransit configures them ("{service}-{consumer}"), each with its "_error" queue
/// where a message lands after its last retry. The bus's own temporary queue is left out.
/// </summary>
public sealed class ServiceQueues(string serviceName) : IEndpointConfigurationObserver
{
    public const string ErrorSuffix = "_error";

    private readonly ConcurrentDictionary<string, byte> names = new();

    public string Service => serviceName;

    public IReadOnlyList<string> Names => [.. names.Keys.Order(StringComparer.Ordinal)];

    public bool OwnsErrorQueue(string errorQueue) =>
        errorQueue.EndsWith(ErrorSuffix, StringComparison.Ordinal) && names.ContainsKey(errorQueue[..^ErrorSuffix.Length]);

    public void EndpointConfigured<T>(T configurator) where T : IReceiveEndpointConfigurator
    {
        var name = configurator.InputAddress.AbsolutePath.Split('/')[^1];
        if (name.StartsWith($"{serviceName}-", StringComparison.Ordinal)) names.TryAdd(name, 0);
    }
}
