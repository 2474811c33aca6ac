using System.Net;
using Microsoft.Extensions.Options;
using ProMTA.Dns.Dkim;
using ProMTA.Dns.Domain;
using ProMTA.Dns.Lookups;
using ProMTA.Dns.Monitoring;
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
            .Validate(o => o.Resolvers.Concat(o.DelegationResolvers).All(r => IPEndPoint.TryParse(r, out _)), "Dns:Resolvers and Dns:DelegationResolvers must be ip:port")
            .Validate(o => new[] { o.MonitorInterval, o.PropagationWindow, o.PropagationFirstInterval, o.PropagationMaxInterval, o.DelegationFirstInterval,
                o.DelegationMaxInterval, o.DelegationRecheckInterval, o.DriftCheckInterval, o.PublicationInterval }.All(t => t > TimeSpan.Zero), "Dns intervals and windows must be positive")
            .ValidateOnStart();
        builder.Services.AddOptions<DkimOptions>().BindConfiguration("Dkim");
        builder.AddDkimKeyProtector();
        builder.Services.AddTransient<SendingDomainZone>();
        builder.Services.AddTransient<ServiceDnsRemoval>();
        builder.Services.AddTransient<ReleasedIpsRemoval>();
        builder.Services.AddSingleton<PlatformZones>();
        builder.Services.AddTransient<SendingDomainHosting>();
        builder.Services.AddTransient<ReverseDnsPublication>();
        // Our authoritative server, asked over DNS: what the API shows as live and what drift is measured against.
        builder.Services.AddSingleton(sp => new LiveRecordCheck(new DnsLookup(IPEndPoint.Parse(sp.GetRequiredService<IOptions<PowerDnsOptions>>().Value.DnsEndpoint))));
        builder.Services.AddOptions<PowerDnsOptions>().BindConfiguration("PowerDns")
            .Validate(o => Uri.IsWellFormedUriString(o.ApiUrl, UriKind.Absolute) && o.ApiKey.Length > 0, "PowerDns:ApiUrl and PowerDns:ApiKey are required")
            .Validate(o => IPEndPoint.TryParse(o.DnsEndpoint, out _), "PowerDns:DnsEndpoint must be ip:port")
            .Validate(o => o.ConcurrentWrites > 0, "PowerDns:ConcurrentWrites must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<PowerDnsWriteGate>();
        builder.Services.AddHttpClient<PowerDnsClient>((sp, http) =>
        {
            var options = sp.GetRequiredService<IOptions<PowerDnsOptions>>().Value;
            http.BaseAddress = new Uri(options.ApiUrl.TrimEnd('/') + "/");
            http.DefaultRequestHeaders.Add("X-API-Key", options.ApiKey);
        });
        builder.Services.AddSingleton(sp => new PropagationCheck(Lookups(sp, o => o.Resolvers)));
        builder.Services.AddSingleton(sp => new DelegationCheck(Lookups(sp, o => o.DelegationResolvers), sp.GetRequiredService<IOptions<PowerDnsOptions>>().Value.Nameservers));
        builder.Services.AddSingleton<DnsMetrics>();
        builder.Services.AddSingleton<ReverseDnsPropagation>();
        builder.Services.AddSingleton<DelegationWatch>();
        builder.Services.AddTransient<DnsDrift>();
        builder.Services.AddHostedService<DnsMonitor>();
        builder.Services.AddSingleton<Publishing.DomainPublication>();
        builder.Services.AddHostedService<Publishing.DomainPublisher>();
        return builder;
    }

    /// <summary>The configured resolvers (host:port), or our own PowerDNS when none are: locally it plays the whole internet.</summary>
    private static List<DnsLookup> Lookups(IServiceProvider sp, Func<DnsOptions, string[]> resolvers)
    {
        var configured = resolvers(sp.GetRequiredService<IOptions<DnsOptions>>().Value);
        var endpoints = configured.Length > 0 ? configured : [sp.GetRequiredService<IOptions<PowerDnsOptions>>().Value.DnsEndpoint];
        return [.. endpoints.Select(e => new DnsLookup(IPEndPoint.Parse(e)))];
    }
}
