using ProMTA.AppHost.Infrastructure;

namespace ProMTA.AppHost;

public static class Platform
{
    /// <summary>The first staff account (an operator); its password is in .data/secrets/staff-password.</summary>
    public const string StaffEmail = "operator@promta.local";

    /// <summary>Every resource of ProMTA: the servers, the Stripe emulator and the six services, in start order.</summary>
    public static IDistributedApplicationBuilder AddPlatform(this IDistributedApplicationBuilder builder)
    {
        var root = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var data = Path.GetFullPath(builder.Configuration["Infrastructure:DataDir"] ?? Path.Combine(root, ".data"));
        var infra = PlatformInfrastructure.Add(builder, root, data);

        // Shared by the gateway (signs the caller header) and the services (verify it). New every run: nothing
        // signed with it outlives the run. Kept in .data/secrets for the run so the load generator can call a service directly.
        var internalSecret = builder.AddParameter("internal-secret", LocalSecrets.Renew(data, "internal-secret"), secret: true);
        var tokenKey = builder.AddParameter("token-signing-key", LocalSecrets.GetOrCreate(data, "token-signing-key"), secret: true);

        var stripe = builder.AddProject<Projects.StripeEmulator>("stripe-emulator")
            .WithHttpEndpoint(port: LocalPorts.Get(builder.Configuration, "ServicePorts:stripe-emulator"), isProxied: false)
            .WithHttpHealthCheck("/health");

        var ordering = builder.AddService<Projects.Ordering>("ordering", infra)
            .WithEnvironment("Auth__InternalSecret", internalSecret)
            .WithEnvironment("Auth__TokenSigningKey", tokenKey)
            .WithEnvironment("Staff__Email", StaffEmail)
            .WithEnvironment("Staff__Password", builder.AddParameter("staff-password", LocalSecrets.GetOrCreate(data, "staff-password"), secret: true))
            .WithEnvironment("Relay__Host", "localhost")
            .WithEnvironment("Relay__Port", builder.Configuration["Ports:Smtp"] ?? "2525")
            // Password-reset and verification links (docs/portal.md): mailed where a smarthost is configured, by default Billing's.
            .WithEnvironment("Accounts__Email__SmartHost", builder.Configuration["Accounts:Email:SmartHost"] ?? builder.Configuration["Billing:Email:SmartHost"] ?? "")
            .WithEnvironment("Accounts__Email__Port", builder.Configuration["Accounts:Email:Port"] ?? builder.Configuration["Billing:Email:Port"] ?? "25");

        var billing = builder.AddService<Projects.Billing>("billing", infra)
            .WithEnvironment("Auth__InternalSecret", internalSecret)
            .WithEnvironment("Billing__TimeZone", builder.Configuration["Billing:TimeZone"] ?? "Europe/Amsterdam")
            // Customer notices are mailed only where a smarthost is configured (--Billing:Email:SmartHost=host).
            .WithEnvironment("Billing__Email__SmartHost", builder.Configuration["Billing:Email:SmartHost"] ?? "")
            .WithEnvironment("Billing__Email__Port", builder.Configuration["Billing:Email:Port"] ?? "25")
            .WithStripe(builder, stripe);

        var provisioning = builder.AddService<Projects.Provisioning>("provisioning", infra)
            .WithEnvironment("Auth__InternalSecret", internalSecret)
            .WithEnvironment("Datacenter__Local__Delay", builder.Configuration["Datacenter:Local:Delay"] ?? "00:00:00");

        // Dns encrypts the DKIM private keys under it, Delivery decrypts them to sign.
        var dkimEncryptionKey = builder.AddParameter("dkim-encryption-key", LocalSecrets.GetOrCreate(data, "dkim-encryption-key"), secret: true);
        var dns = builder.AddService<Projects.Dns>("dns", infra)
            .WithEnvironment("Auth__InternalSecret", internalSecret)
            .WithEnvironment("Dkim__EncryptionKey", dkimEncryptionKey)
            .WithEnvironment("PowerDns__ApiUrl", infra.PowerDnsApi)
            .WithEnvironment("PowerDns__ApiKey", infra.PowerDnsApiKey)
            .WithEnvironment("PowerDns__DnsEndpoint", infra.DnsEndpoint)
            .WaitFor(infra.PowerDns);

        // Receiving ISPs for local runs: fake MX servers on 127.0.0.x whose MX and A records FakeIsp publishes in PowerDNS.
        var mxPort = builder.Configuration["Ports:FakeMx"] ?? "25";
        var fakeIsp = builder.AddProject<Projects.FakeIsp>("fake-isp")
            .WithHttpEndpoint(port: LocalPorts.Get(builder.Configuration, "ServicePorts:fake-isp"), isProxied: false)
            .WithHttpHealthCheck("/health")
            .WithEnvironment("FakeIsp__SmtpPort", mxPort)
            .WithEnvironment("FakeIsp__PowerDnsApiUrl", infra.PowerDnsApi)
            .WithEnvironment("FakeIsp__PowerDnsApiKey", infra.PowerDnsApiKey)
            // Like real ISPs, some accepted mail bounces later and some recipients complain: the reports go back to the
            // sender domain's MX found in PowerDNS, which is Delivery's inbound MX on the service's IP (docs/inbound.md).
            .WithEnvironment("FakeIsp__DnsResolver", infra.DnsEndpoint)
            .WithEnvironment("FakeIsp__ReportMxPort", mxPort)
            .WithEnvironment("FakeIsp__AsyncBounceRate", builder.Configuration["FakeIsp:AsyncBounceRate"] ?? "0.01")
            .WithEnvironment("FakeIsp__ComplaintRate", builder.Configuration["FakeIsp:ComplaintRate"] ?? "0.002")
            .WaitFor(infra.PowerDns);

        var delivery = builder.AddService<Projects.Delivery>("delivery", infra)
            .WithEnvironment("Auth__InternalSecret", internalSecret)
            .WithEnvironment("Relay__Port", builder.Configuration["Ports:Smtp"] ?? "2525")
            .WithEnvironment("Dkim__EncryptionKey", dkimEncryptionKey)
            // Signs the per-recipient return paths (VERP) late bounces come back to; kept across runs, as mail sent in an
            // earlier run can still bounce.
            .WithEnvironment("Verp__SigningKey", builder.AddParameter("verp-signing-key", LocalSecrets.GetOrCreate(data, "verp-signing-key"), secret: true))
            // Local runs only: lets swaks without Net::SSLeay authenticate before STARTTLS. Never set in production.
            .WithEnvironment("Relay__AllowPlainAuth", builder.Configuration["Relay:AllowPlainAuth"] ?? "true")
            .WithEnvironment("Delivery__Resolvers__0", infra.DnsEndpoint)
            .WithEnvironment("Delivery__MxPort", mxPort)
            // The fake ISPs' MX (and our own inbound MX) live on 127.0.x.x: allowed in this local run only.
            .WithEnvironment("Delivery__AllowInternalMxAddresses", "true")
            .WithEnvironment("Webhooks__AllowInternalEndpoints", "true")
            // The reputation watch asks test blocklists that our own PowerDNS can serve (docs/delivery.md: list an IP
            // by hand); until someone creates the zones, every answer is "refused" and changes nothing.
            .WithEnvironment("Reputation__Blocklists__0__Zone", "bl.promta.test")
            .WithEnvironment("Reputation__Blocklists__1__Zone", "dbl.promta.test")
            .WithEnvironment("Reputation__Blocklists__1__Kind", "domain")
            .WithEnvironment("Reputation__Interval", "00:01:00")
            // The inbound MX: a fixed port for trying it by hand, and the MX port of every dedicated IP (127.0.x.y locally),
            // where mta1.<domain> points, so bounces and complaints reach it through DNS like on the internet.
            .WithEnvironment("Inbound__Port", builder.Configuration["Ports:InboundSmtp"] ?? "2526")
            .WithEnvironment("Inbound__DedicatedIpPort", mxPort)
            .WithEnvironment("Inbound__RefreshInterval", "00:00:05")
            // Not WaitFor(fakeIsp): the relay must not depend on a dev tool; until the fake MX answer, mail is deferred.
            .WithReferenceRelationship(fakeIsp);

        // Ordering gathers the staff's platform-wide views (an order's message flow) from the other services.
        ordering.WithReference(billing).WithReference(provisioning).WithReference(dns).WithReference(delivery);

        var gateway = builder.AddProject<Projects.Gateway>("gateway")
            // Not behind Aspire's proxy: the gateway's per-IP limits must see each client's own address (through the proxy
            // every client was 127.0.0.1, so one client's failed credentials or logins spent everyone's budget).
            .WithHttpEndpoint(port: builder.Configuration.GetValue("Ports:Gateway", 8080), isProxied: false)
            .WithHttpHealthCheck("/health")
            .WithEnvironment("Auth__InternalSecret", internalSecret)
            .WithEnvironment("RateLimits__SignupPerMinute", builder.Configuration["RateLimits:SignupPerMinute"] ?? "60")
            .WithEnvironment("RateLimits__AccountLinksPerMinute", builder.Configuration["RateLimits:AccountLinksPerMinute"] ?? "10")
            .WithReference(ordering).WithReference(billing).WithReference(delivery).WithReference(dns).WithReference(provisioning)
            .WaitFor(ordering).WaitFor(billing).WaitFor(delivery).WaitFor(dns).WaitFor(provisioning);

        // Where Stripe sends the browser back (Checkout, 3-D Secure) and where mailed account links point: the portal,
        // wherever the gateway really listens (a test run's ports are randomized), unless Billing:PortalUrl names a public address.
        var portalUrl = builder.Configuration["Billing:PortalUrl"];
        if (string.IsNullOrEmpty(portalUrl))
        {
            billing.WithEnvironment("Billing__PortalUrl", gateway.GetEndpoint("http"));
            ordering.WithEnvironment("Accounts__PortalUrl", gateway.GetEndpoint("http"));
        }
        else
        {
            billing.WithEnvironment("Billing__PortalUrl", portalUrl);
            ordering.WithEnvironment("Accounts__PortalUrl", portalUrl);
        }

        // Aspire has every project export its metrics each second in a local run (OTEL_METRIC_EXPORT_INTERVAL=1000; the
        // SDK's own default is 60 s): collecting and sending every instrument of seven processes, and the dashboard
        // storing them, was a tenth to a fifth of an idle service's CPU and part of every order's (docs/operations.md,
        // "Load"). Every 10 s still draws the dashboard's graphs; Telemetry:MetricExportInterval (ms) sets it.
        var metricInterval = builder.Configuration["Telemetry:MetricExportInterval"] ?? "10000";
        // The same for spans and log records (OTEL_BSP_/OTEL_BLRP_SCHEDULE_DELAY=1000; the SDK's default is 5 s): under
        // load every second's export is one more gRPC call and dashboard write per process, with a smaller batch.
        // Telemetry:TraceExportDelay (ms) sets it; a trace then shows up in the dashboard up to that much later.
        var traceDelay = builder.Configuration["Telemetry:TraceExportDelay"] ?? "5000";
        // Which SQL commands' spans keep their text (ServiceDefaults' SqlTextOfSlowOrFailedCommands; 0: every one).
        var slowSql = builder.Configuration["Telemetry:SlowSqlMilliseconds"];
        // Aspire samples every trace in a local run (OTEL_TRACES_SAMPLER=always_on). Telemetry:TracesSampler and
        // Telemetry:TracesSamplerArg replace it (e.g. parentbased_traceidratio and 0.1), for a fleet's volume or to
        // measure what tracing costs (docs/operations.md, "Load").
        var sampler = builder.Configuration["Telemetry:TracesSampler"];
        var samplerArg = builder.Configuration["Telemetry:TracesSamplerArg"];
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            var resource = builder.CreateResourceBuilder(project).WithEnvironment("OTEL_METRIC_EXPORT_INTERVAL", metricInterval)
                .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", traceDelay).WithEnvironment("OTEL_BLRP_SCHEDULE_DELAY", traceDelay);
            if (slowSql is not null) resource.WithEnvironment("Telemetry__SlowSqlMilliseconds", slowSql);
            if (sampler is not null) resource.WithEnvironment("OTEL_TRACES_SAMPLER", sampler);
            if (samplerArg is not null) resource.WithEnvironment("OTEL_TRACES_SAMPLER_ARG", samplerArg);
        }
        return builder;
    }

    private static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name, PlatformInfrastructure infra)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name)
            // ServicePorts:<service> pins a service's HTTP port (the load generator calls Ordering directly); random otherwise.
            // Not Ports:<service>: configuration keys ignore case, and Ports:Dns is PowerDNS's DNS port. Not proxied: LocalPorts.
            .WithHttpEndpoint(port: LocalPorts.Get(builder.Configuration, $"ServicePorts:{name}"), isProxied: false)
            .WithHttpHealthCheck("/health")
            .WithFaultInjection(builder)
            .WithReference(infra.Postgres, PlatformInfrastructure.DatabaseConnectionName).WaitFor(infra.Postgres)
            .WithReference(infra.RabbitMq, PlatformInfrastructure.BrokerConnectionName).WaitFor(infra.RabbitMq);

    /// <summary>Real Stripe when a key is configured (Stripe:SecretKey, from user secrets or the environment), else the emulator.</summary>
    private static IResourceBuilder<ProjectResource> WithStripe(
        this IResourceBuilder<ProjectResource> billing, IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> emulator)
    {
        var key = builder.Configuration["Stripe:SecretKey"];
        if (!string.IsNullOrEmpty(key))
        {
            return billing
                .WithEnvironment("Stripe__SecretKey", builder.AddParameter("stripe-secret-key", key, secret: true))
                .WithEnvironment("Stripe__Webhooks__Secret", builder.AddParameter("stripe-webhook-secret", builder.Configuration["Stripe:WebhookSecret"] ?? "", secret: true));
        }
        // The emulator signs its webhooks with a secret of this machine's, and sends them to Billing like Stripe would.
        var webhookSecret = builder.AddParameter("stripe-webhook-secret", LocalSecrets.New(), secret: true);
        emulator
            .WithEnvironment("Webhooks__Url", ReferenceExpression.Create($"{billing.GetEndpoint("http")}/api/webhooks/stripe"))
            .WithEnvironment("Webhooks__Secret", webhookSecret);
        return billing
            .WithEnvironment("Stripe__EmulatorUrl", emulator.GetEndpoint("http"))
            .WithEnvironment("Stripe__Webhooks__Secret", webhookSecret)
            .WaitFor(emulator);
    }
}
