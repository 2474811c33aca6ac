using MassTransit;
using Microsoft.Extensions.Options;
using ProMTA.Provisioning.Datacenter;
using ProMTA.Provisioning.Domain;

namespace ProMTA.Provisioning;

public static class Extensions
{
    public const string Schema = "provisioning";

    public static IHostApplicationBuilder AddProvisioning(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase(Schema, typeof(Extensions).Assembly);
        builder.AddMessaging(Schema, bus => bus.AddConsumers(typeof(Extensions).Assembly));
        builder.Services.AddOptions<ProvisioningOptions>().BindConfiguration("Provisioning").ValidateOnStart();
        builder.Services.AddOptions<LocalDatacenterOptions>().BindConfiguration("Datacenter:Local").ValidateOnStart();
        builder.Services.AddSingleton<IDatacenterProvider, LocalDatacenterProvider>();
        builder.Services.AddSingleton<Setup.ServerSetup>();
        builder.Services.AddSingleton(sp => new WorkingDays(sp.GetRequiredService<IOptions<ProvisioningOptions>>().Value.Holidays.ToHashSet()));
        return builder;
    }
}
