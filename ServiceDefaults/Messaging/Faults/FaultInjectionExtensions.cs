using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ProMTA.ServiceDefaults.Messaging.Faults;

internal static class FaultInjectionExtensions
{
    /// <summary>Reads the "Faults" section; a switched-on fault outside Development stops the service at start.</summary>
    public static FaultInjectionOptions AddFaultInjection(this IHostApplicationBuilder builder, string serviceName)
    {
        var options = builder.Configuration.GetSection(FaultInjectionOptions.Section).Get<FaultInjectionOptions>() ?? new();
        if (options.TransientConsumerFailurePercent is < 0 or > 100)
        {
            throw new InvalidOperationException("Faults:TransientConsumerFailurePercent must be between 0 and 100");
        }
        if (options.Enabled && !builder.Environment.IsDevelopment())
        {
            throw new InvalidOperationException("Faults:* is for the fault-injection tests and refused outside Development");
        }
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new FaultJournal(options, serviceName));
        builder.Services.AddScoped(typeof(TransientFaultFilter<>));
        return options;
    }

    /// <summary>Inside the retry policy, so an injected fault is retried like any other transient failure.</summary>
    public static void UseFaultInjection(this IBusFactoryConfigurator bus, IRegistrationContext context, FaultInjectionOptions options)
    {
        if (options.Enabled) bus.UseConsumeFilter(typeof(TransientFaultFilter<>), context);
    }
}
