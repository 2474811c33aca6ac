using System.Net;
using Microsoft.Extensions.Options;
using ProMTA.Dns.Dkim;
using ProMTA.Dns.Domain;
using ProMTA.Dns.PowerDns;
using ProMTA.Dns.Publishing;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Dns;

public static class Extensions
{
    public const string Schema = "dns";

    public static IHostApplicationBuilder AddDns(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformService(Schema, typeof(Extensions).Assembly);
        builder.Services.AddOptions<DnsOptions>().BindConfiguration("Dns")
            .Validate(o => o.DmarcPolicy is "none" or "quarantine" or "reject", "Dns:DmarcPolicy must be none, quarantine or reject")
            .ValidateOnStart();
        builder.Services.AddOptions<DkimOptions>().BindConfiguration("Dkim");
        builder.AddDkimKeyProtector();
        builder.Services.AddTransient<SendingDomainZone>();
        builder.Services.AddTransient<ServiceDnsRemoval>();
        builder.Services.AddSingleton(sp => new LiveRecordCheck(IPEndPoint.Parse(sp.GetRequiredService<IOptions<PowerDnsOptions>>().Value.DnsEndpoint)));
        builder.Services.AddOptions<PowerDnsOptions>().BindConfiguration("PowerDns")
            .Validate(o => Uri.IsWellFormedUriString(o.ApiUrl, UriKind.Absolute) && o.ApiKey.Length > 0, "PowerDns:ApiUrl and PowerDns:ApiKey are required")
            .Validate(o => IPEndPoint.TryParse(o.DnsEndpoint, out _), "PowerDns:DnsEndpoint must be ip:port")
            .ValidateOnStart();
        builder.Services.AddHttpClient<PowerDnsClient>((sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<PowerDnsOptions>>().Value;
            http.BaseAddress = new Uri(options.ApiUrl.TrimEnd('/') + "/");
            http.DefaultRequestHeaders.Add("X-API-Key", options.ApiKey);
        });
        builder.Services.AddSingleton(sp =>
        {
            var dns = sp.GetRequiredService<IOptions<DnsOptions>>().Value;
            var resolvers = dns.Resolvers.Length > 0 ? dns.Resolvers : [sp.GetRequiredService<IOptions<PowerDnsOptions>>().Value.DnsEndpoint];
            return new PropagationCheck(resolvers.Select(IPEndPoint.Parse).ToList());
        });
        return builder;
    }
}
