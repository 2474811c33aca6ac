using Microsoft.Extensions.Options;
using ProMTA.Provisioning.Datacenter;
using ProMTA.ServiceDefaults.Calendar;

namespace ProMTA.Provisioning;

public static class Extensions
{
    public const string Schema = "provisioning";

    public static IHostApplicationBuilder AddProvisioning(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformService(Schema, typeof(Extensions).Assembly);
        builder.Services.AddOptions<ProvisioningOptions>().BindConfiguration("Provisioning")
            .Validate(o => o.Attempts >= 1 && o.RetryDelay >= TimeSpan.Zero && o.RetryMaxDelay >= o.RetryDelay,
                "Provisioning:Attempts must be at least 1 and RetryMaxDelay at least RetryDelay")
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "Provisioning:TimeZone must be a time zone id such as Europe/Amsterdam")
            .Validate(o => o.IpQuarantine >= TimeSpan.Zero && o.HousekeepingInterval > TimeSpan.Zero, "Provisioning:IpQuarantine and HousekeepingInterval must be positive")
            .ValidateOnStart();
        builder.Services.AddOptions<LocalDatacenterOptions>().BindConfiguration("Datacenter:Local")
            .Validate(o => o.FailureRate is >= 0 and <= 1, "Datacenter:Local:FailureRate must be between 0 and 1")
            .ValidateOnStart();
        builder.Services.AddSingleton<IDatacenterProvider, LocalDatacenterProvider>();
        builder.Services.AddSingleton<Setup.DatacenterRetry>();
        builder.Services.AddSingleton<Setup.ServerSetup>();
        builder.Services.AddSingleton<Setup.ServerDecommission>();
        builder.Services.AddOptions<Setup.QuarantineCheckOptions>().BindConfiguration("Reputation")
            .Validate(o => o.Blocklists.Count == 0 || (o.Resolvers.Length > 0 && o.Resolvers.All(r => System.Net.IPEndPoint.TryParse(r, out _))),
                "Reputation:Resolvers (ip:port) are required when Reputation:Blocklists are configured")
            .Validate(o => o.RecheckAfter > TimeSpan.Zero, "Reputation:RecheckAfter must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<Setup.QuarantineCheck>();
        builder.Services.AddSingleton<Setup.ServerIpChange>();
        builder.Services.AddHostedService<Setup.Housekeeping>();
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ProvisioningOptions>>().Value;
            return new WorkingDays(options.Holidays.ToHashSet(), TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone));
        });
        return builder;
    }
}
