using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Apis;
using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Dsn;
using ProMTA.Delivery.Events;
using ProMTA.Delivery.Feedback;
using ProMTA.Delivery.History;
using ProMTA.Delivery.Inbound;
using ProMTA.Delivery.Outbound;
using ProMTA.Delivery.Outbound.Lanes;
using ProMTA.Delivery.Outbound.Dkim;
using ProMTA.Delivery.QueueControl;
using ProMTA.Delivery.Reputation;
using ProMTA.Delivery.Relay;
using ProMTA.Delivery.Retention;
using ProMTA.Delivery.Webhooks;
using ProMTA.ServiceDefaults.Http.Input;
using ProMTA.ServiceDefaults.Reputation;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Delivery;

public static class Extensions
{
    public const string Schema = "delivery";

    public static IHostApplicationBuilder AddDelivery(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformService(Schema, typeof(Extensions).Assembly);
        builder.AddRelay();
        builder.AddOutbound();
        builder.AddInbound();
        builder.AddWebhooks();
        return builder;
    }

    /// <summary>Customers' HTTPS endpoints for delivery events (section "Webhooks").</summary>
    public static IHostApplicationBuilder AddWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration("Webhooks")
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.Timeout > TimeSpan.Zero && o.RetryWindow > TimeSpan.Zero && o.RetryInitial > TimeSpan.Zero
                && o.RetryMax >= o.RetryInitial && o.Lease > o.Timeout, "Webhooks: intervals must be positive, RetryMax >= RetryInitial and Lease > Timeout")
            .Validate(o => o.BatchSize is > 0 and <= 1000 && o.MaxPerService > 0, "Webhooks:BatchSize must be 1-1000 and MaxPerService positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddHostedService<WebhookDispatcher>();
        return builder;
    }

    /// <summary>The SMTP relay customers submit to (section "Relay").</summary>
    public static IHostApplicationBuilder AddRelay(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RelayOptions>().BindConfiguration("Relay")
            .Validate(o => o.Port is > 0 and < 65536 && System.Net.IPAddress.TryParse(o.Address, out _), "Relay:Address must be an IP and Relay:Port a port")
            .Validate(o => o.MaxMessageSize > 0, "Relay:MaxMessageSize must be positive")
            .Validate(o => o.IdleTimeout > TimeSpan.Zero, "Relay:IdleTimeout must be positive")
            .Validate(o => o.MaxErrors > 0 && o.MaxRecipients > 0 && o.MaxConnectionsPerClient > 0 && o.MaxHeaderBytes > 0 && o.MaxHeaderCount > 0 && o.MaxReceivedHeaders > 0,
                "Relay limits (MaxErrors, MaxRecipients, MaxConnectionsPerClient, MaxHeaderBytes, MaxHeaderCount, MaxReceivedHeaders) must be positive")
            // An unauthenticated relay path exists only for benchmarks on a developer machine.
            .Validate(o => o.TrustedClients.Count == 0 || builder.Environment.IsDevelopment(), "Relay:TrustedClients is for benchmarks and refused outside Development")
            .Validate(o => o.TrustedClients.Keys.All(ip => System.Net.IPAddress.TryParse(ip, out _)), "Relay:TrustedClients keys must be IP addresses")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new AuthThrottle(sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<RelayAuthenticator>();
        builder.Services.AddSingleton<SenderPolicy>();
        builder.Services.AddSingleton<RelayMailboxFilter>();
        builder.Services.AddSingleton<QueueWriter>();
        // Shared with the outbound claim loop when both run in this process (a relay alone just signals nobody).
        builder.Services.TryAddSingleton<Outbound.Claiming.ClaimWakeUp>();
        builder.Services.AddSingleton<RelayMessageStore>();
        builder.Services.AddHostedService<RelayServer>();
        return builder;
    }

    /// <summary>The MX of hosted domains (section "Inbound"): reports and replies stored, ordinary mail forwarded.</summary>
    public static IHostApplicationBuilder AddInbound(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<InboundOptions>().BindConfiguration("Inbound")
            .Validate(o => System.Net.IPAddress.TryParse(o.Address, out _), "Inbound:Address must be an IP address")
            .Validate(o => o.Port is >= 0 and < 65536 && o.DedicatedIpPort is >= 0 and < 65536, "Inbound:Port and Inbound:DedicatedIpPort must be ports (0 = off)")
            .Validate(o => o.MaxMessageSize > 0 && o.MaxRecipients > 0 && o.MaxConnectionsPerIp > 0 && o.MaxHops > 0,
                "Inbound:MaxMessageSize, MaxRecipients, MaxConnectionsPerIp and MaxHops must be positive")
            .Validate(o => o.RefreshInterval > TimeSpan.Zero, "Inbound:RefreshInterval must be positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<FeedbackLoop>();
        builder.Services.AddSingleton<InboundMailboxFilter>();
        builder.Services.AddSingleton<InboundMessageStore>();
        builder.Services.AddHostedService<InboundServer>();
        return builder;
    }

    /// <summary>Delivery of the queue to the recipients' MX (section "Delivery").</summary>
    public static IHostApplicationBuilder AddOutbound(this IHostApplicationBuilder builder)
    {
        // One controller per process: it learns each source IP x provider lane from the replies it is told about.
        // Its tuning and tables come from configuration (Delivery:Throttling), validated on start so a bad value fails the start.
        builder.Services.AddThrottleController();
        builder.Services.AddOptions<OutboundOptions>().BindConfiguration("Delivery")
            .Validate(o => o.Resolvers.All(r => System.Net.IPEndPoint.TryParse(r, out _)), "Delivery:Resolvers must be ip:port")
            .Validate(o => o.Routes.Values.All(r => System.Net.IPEndPoint.TryParse(r, out _)), "Delivery:Routes values must be ip:port")
            .Validate(o => !o.BypassThrottling || builder.Environment.IsDevelopment(), "Delivery:BypassThrottling is for benchmarks and refused outside Development")
            .Validate(o => o.TransactionalReserve is >= 0 and <= 0.9, "Delivery:TransactionalReserve must be between 0 and 0.9")
            .Validate(o => o.LeaseMargin > TimeSpan.Zero && o.LeaseMargin < o.Lease, "Delivery:LeaseMargin must be positive and shorter than Delivery:Lease")
            .ValidateOnStart();
        builder.AddDkimKeyProtector();
        builder.Services.AddOptions<VerpOptions>().BindConfiguration("Verp")
            .Validate(o => string.IsNullOrEmpty(o.SigningKey) || o.SigningKey.Length >= 32, "Verp:SigningKey must be at least 32 characters")
            .ValidateOnStart();
        builder.Services.AddSingleton<VerpAddresses>();
        builder.Services.AddSingleton<RawDkimSigner>();
        builder.Services.AddSingleton<DeliveryMetrics>();
        builder.Services.AddSingleton<MxResolver>();
        builder.Services.AddSingleton<MxConnector>();
        builder.Services.AddSingleton<SmtpConnectionPool>();
        builder.Services.AddSingleton<ThrottleStateSync>();
        builder.Services.AddLaneLeasing();
        builder.Services.AddOutboundStages();
        builder.Services.AddOptions<DeliveryEventOptions>().BindConfiguration("DeliveryEvents")
            .Validate(o => o.Retention > TimeSpan.Zero && o.RetentionInterval > TimeSpan.Zero && o.RecentWindow > TimeSpan.Zero,
                "DeliveryEvents:Retention, RetentionInterval and RecentWindow must be positive")
            .ValidateOnStart();
        builder.Services.AddHostedService<DeliveryEventRetention>();
        builder.AddRetention<MessageRetention, MessageRetentionOptions>("MessageRetention");
        builder.AddRetention<InboundRetention, InboundRetentionOptions>("InboundRetention");
        builder.AddDeliveryHistory();
        builder.Services.AddOptions<DsnOptions>().BindConfiguration("Dsn")
            .Validate(o => o.Interval > TimeSpan.Zero && o.BatchSize > 0, "Dsn:Interval and Dsn:BatchSize must be positive")
            .ValidateOnStart();
        builder.Services.AddHostedService<DsnJob>();
        builder.AddReputationWatch();
        return builder;
    }

    /// <summary>DNS blocklists watched for every dedicated IP and sending domain (section "Reputation").</summary>
    private static void AddReputationWatch(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReputationOptions>().BindConfiguration("Reputation")
            .Validate(o => o.Interval > TimeSpan.Zero && o.Concurrency > 0, "Reputation:Interval and Reputation:Concurrency must be positive")
            .Validate<ProMTA.MailPolicy.Providers.ProviderCatalog>((o, providers) => o.Blocklists.All(z => z.Zone.Trim().Length > 0
                && z.Kind is BlocklistKinds.Ip or BlocklistKinds.Domain && z.Providers.All(providers.Labels.Contains)),
                "Reputation:Blocklists: each needs a Zone, a Kind of ip or domain, and Providers among the provider catalogue's labels (providers.json: Gmail, Outlook, Yahoo, iCloud, Comcast, Other as shipped)")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new BlocklistLookup(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<OutboundOptions>>().Value.ResolverEndpoints()));
        builder.Services.AddSingleton<BlockedSources>();
        builder.Services.AddHostedService<BlocklistWatch>();
    }

    /// <summary>Every route of Delivery's HTTP API, behind the platform's input checks.</summary>
    public static WebApplication MapDeliveryApis(this WebApplication app)
    {
        var endpoints = app.MapPlatformEndpoints();
        endpoints.MapRelayApi();
        endpoints.MapDeliveryHistoryApi();
        endpoints.MapSenderDomainsAdminApi();
        endpoints.MapInboundApi();
        endpoints.MapMessagesApi();
        endpoints.MapWebhooksApi();
        endpoints.MapSuppressionFilesApi();
        endpoints.MapQueueApi();
        endpoints.MapReputationApi();
        endpoints.MapSmtpCredentialsApi();
        endpoints.MapServiceAuditApi();
        return app;
    }

    private static void AddRetention<TJob, TOptions>(this IHostApplicationBuilder builder, string section)
        where TJob : SlicedRetention<TOptions> where TOptions : RetentionOptions
    {
        builder.Services.AddOptions<TOptions>().BindConfiguration(section)
            .Validate(o => o.IsValid, $"{section}:Retention, Interval and Slice must be positive").ValidateOnStart();
        builder.Services.AddHostedService<TJob>();
    }
}
