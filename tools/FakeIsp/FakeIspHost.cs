using Microsoft.Extensions.Options;

namespace ProMTA.FakeIsp;

/// <summary>Starts one fake MX per configured provider and, when PowerDNS is configured, publishes their records.</summary>
public sealed partial class FakeIspHost(
    IOptions<FakeIspOptions> options, IHttpClientFactory httpClients, ILoggerFactory logs, ILogger<FakeIspHost> log) : IHostedService
{
    private readonly List<FakeMx> servers = [];
    private ReportSender? reports;

    public IReadOnlyList<FakeMx> Servers => servers;

    /// <summary>Where the providers' bounces and complaints go out; null until started.</summary>
    public ReportSender? Reports => reports;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var config = options.Value;
        var providers = config.Providers.Count > 0 ? config.Providers : FakeProviderOptions.Defaults();
        reports = new ReportSender(config, logs.CreateLogger<ReportSender>());
        foreach (var provider in providers)
        {
            if (provider.AsyncBounceRate == 0) provider.AsyncBounceRate = config.AsyncBounceRate;
            if (provider.ComplaintRate == 0) provider.ComplaintRate = config.ComplaintRate;
            if (provider.ComplaintBlock.Rate == 0) provider.ComplaintBlock = config.ComplaintBlock;
            var mx = new FakeMx(provider, config.SmtpPort, reports, config.Senders);
            mx.Start();
            servers.Add(mx);
            LogListening(provider.Name, provider.Domain, provider.Address, config.SmtpPort);
        }
        if (!string.IsNullOrEmpty(config.PowerDnsApiUrl))
        {
            var http = httpClients.CreateClient("powerdns");
            http.BaseAddress = new Uri(config.PowerDnsApiUrl.TrimEnd('/') + "/");
            http.DefaultRequestHeaders.Add("X-API-Key", config.PowerDnsApiKey);
            var publisher = new DnsPublisher(http, config.PowerDnsServerId);
            foreach (var provider in providers) await publisher.PublishAsync(provider, cancellationToken);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var server in servers) await server.DisposeAsync();
        if (reports is not null) await reports.DisposeAsync();
    }

    [LoggerMessage(LogLevel.Information, "Fake {Provider} MX for {Domain} on {Address}:{Port}")]
    private partial void LogListening(string provider, string domain, string address, int port);
}
