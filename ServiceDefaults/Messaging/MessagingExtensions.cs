using MassTransit;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ProMTA.ServiceDefaults.Messaging;
using ProMTA.ServiceDefaults.Messaging.Faults;
using ProMTA.ServiceDefaults.Messaging.DeadLetters;
using ProMTA.ServiceDefaults.Messaging.Flow;

namespace Microsoft.Extensions.Hosting;

public static class MessagingExtensions
{
    public const string ConnectionName = "rabbitmq";

    /// <summary>
    /// Messaging:QuorumQueues=true (set on Kubernetes, where RabbitMQ is a cluster): every consumer queue, and its
    /// _error queue (tests/ServiceDefaults.Tests/QuorumQueueTests), is a quorum queue replicated across the nodes.
    /// Off locally: a single node.
    /// </summary>
    public const string QuorumQueuesKey = "Messaging:QuorumQueues";

    /// <summary>
    /// MassTransit over RabbitMQ: queues named "{service}-{consumer}" in kebab case (so two services' consumers
    /// of one event never compete), retries with growing intervals, then the _error queue; plus the outbox relay.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(
        this IHostApplicationBuilder builder, string serviceName, Action<IBusRegistrationConfigurator>? consumers = null)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is not configured");
        var faults = builder.AddFaultInjection(serviceName);
        var queues = new ServiceQueues(serviceName);
        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false));
            consumers?.Invoke(bus);
            if (builder.Configuration.GetValue<bool>(QuorumQueuesKey))
            {
                // Only the consumer endpoints: the bus's own temporary queue is auto-delete, which quorum queues cannot be.
                bus.AddConfigureEndpointsCallback((_, endpoint) =>
                {
                    if (endpoint is not IRabbitMqReceiveEndpointConfigurator rabbit) return;
                    rabbit.SetQuorumQueue();
                    // RabbitMQ 4 gives quorum queues a delivery limit of 20 and then drops the message. Retries are
                    // MassTransit's job (then the _error queue), and operators browse _error queues by reading
                    // without acknowledging: no message may vanish because it was looked at 20 times.
                    rabbit.SetQueueArgument("x-delivery-limit", -1);
                });
            }
            bus.UsingRabbitMq((context, rabbit) =>
            {
                var uri = new Uri(connectionString);
                rabbit.Host(uri, host =>
                {
                    var user = uri.UserInfo.Split(':', 2);
                    if (user.Length == 2)
                    {
                        host.Username(Uri.UnescapeDataString(user[0]));
                        host.Password(Uri.UnescapeDataString(user[1]));
                    }
                });
                rabbit.UseMessageRetry(retry =>
                {
                    retry.Intervals(100, 500, 1000, 3000, 10000, 30000);
                    retry.Ignore<PermanentMessageException>();
                });
                // After the retry filter: every attempt is recorded for the order's flow.
                rabbit.UseConsumeFilter(typeof(ConsumeRecorderFilter<>), context);
                // Inside the recorder, so an injected fault shows in the flow as a failed attempt.
                rabbit.UseFaultInjection(context, faults);
                rabbit.ConnectEndpointConfigurationObserver(queues);
                rabbit.ConnectReceiveObserver(queues);
                rabbit.ConfigureEndpoints(context);
            });
        });
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddSingleton<ConsumedMessages>();
        builder.Services.AddOptions<FlowRetentionOptions>().BindConfiguration(FlowRetentionOptions.Section)
            .Validate(o => o.Period > TimeSpan.Zero && o.Interval > TimeSpan.Zero && o.BatchSize > 0,
                $"{FlowRetentionOptions.Section}:Period, Interval and BatchSize must be positive")
            .ValidateOnStart();
        builder.Services.AddHostedService<MessageHistoryRetention>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(queues);
        builder.Services.AddSingleton<DeadLetterQueues>();
        builder.Services.AddHostedService<DeadLetterMonitor>();
        builder.Services.AddOptions<StuckBusOptions>().BindConfiguration(StuckBusOptions.Section)
            .Validate(o => o.Limit > TimeSpan.Zero, $"{StuckBusOptions.Section}:Limit must be positive").ValidateOnStart();
        // A singleton: it remembers since when the bus has not been ready (a check type is otherwise made anew per run).
        builder.Services.AddSingleton<StuckBusCheck>();
        builder.Services.AddHealthChecks().AddCheck<StuckBusCheck>(StuckBusCheck.Name, tags: ["live"]);
        return builder;
    }

    /// <summary>What Ordering gathers for the operators' views: this service's part of an order's flow, its dead letters.</summary>
    internal static IEndpointRouteBuilder MapMessagingEndpoints(this IEndpointRouteBuilder app) =>
        app.MapMessageFlowEndpoint().MapDeadLetterEndpoints();
}
