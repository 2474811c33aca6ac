namespace ProMTA.AppHost.Infrastructure;

/// <summary>PostgreSQL, RabbitMQ and PowerDNS, as containers where a container engine answers, else as native servers.</summary>
public sealed record PlatformInfrastructure(
    IResourceBuilder<IResourceWithConnectionString> Postgres,
    IResourceBuilder<IResourceWithConnectionString> RabbitMq,
    IResourceBuilder<NativeServerResource> PowerDns,
    string PowerDnsApiKey,
    int DnsPort)
{
    public const string DatabaseConnectionName = "promta";
    public const string BrokerConnectionName = "rabbitmq";

    public EndpointReference PowerDnsApi => PowerDns.GetEndpoint("api");

    /// <summary>Where PowerDNS answers DNS queries (UDP and TCP, not proxied: DCP proxies TCP only).</summary>
    public string DnsEndpoint => $"127.0.0.1:{DnsPort}";

    public static PlatformInfrastructure Add(IDistributedApplicationBuilder builder, string repositoryRoot, string dataDirectory)
    {
        var dnsPort = builder.Configuration.GetValue("Ports:Dns", 5353);
        var useContainers = ContainerRuntime.IsAvailable(builder.Configuration);
        if (!useContainers || !builder.ExecutionContext.IsPublishMode)
        {
            // PowerDNS always runs natively; the other servers only without a container engine.
            ServerInstaller.EnsureInstalled(repositoryRoot);
        }
        var powerDnsKey = LocalSecrets.GetOrCreate(dataDirectory, "powerdns-api-key");
        var powerDns = AddPowerDns(builder, repositoryRoot, dataDirectory, powerDnsKey, dnsPort);
        return useContainers
            ? new(AddPostgresContainer(builder, dataDirectory), AddRabbitMqContainer(builder, dataDirectory), powerDns, powerDnsKey, dnsPort)
            : new(AddNativePostgres(builder, repositoryRoot, dataDirectory), AddNativeRabbitMq(builder, repositoryRoot, dataDirectory), powerDns, powerDnsKey, dnsPort);
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddPostgresContainer(IDistributedApplicationBuilder builder, string data)
    {
        var password = builder.AddParameter("postgres-password", LocalSecrets.GetOrCreate(data, "postgres-password"), secret: true);
        return builder.AddPostgres("postgres", password: password).WithDataVolume("promta-postgres").AddDatabase(DatabaseConnectionName);
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddRabbitMqContainer(IDistributedApplicationBuilder builder, string data)
    {
        var user = builder.AddParameter("rabbitmq-user", "promta");
        var password = builder.AddParameter("rabbitmq-password", LocalSecrets.GetOrCreate(data, "rabbitmq-password"), secret: true);
        return builder.AddRabbitMQ(BrokerConnectionName, user, password).WithDataVolume("promta-rabbitmq");
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddNativePostgres(IDistributedApplicationBuilder builder, string root, string data)
    {
        var password = builder.AddParameter("postgres-password", LocalSecrets.GetOrCreate(data, "postgres-password"), secret: true);
        var server = new NativeServerResource("postgres", root);
        var resource = builder.AddResource(server)
            .WithArgs("eng/native/postgres.sh")
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "PG_PORT", port: LocalPorts.Get(builder.Configuration, "Ports:Postgres"), isProxied: false)
            .WithEnvironment("PG_DATA_DIR", Path.Combine(data, "postgres"))
            .WithEnvironment("PG_PASSWORD", password)
            .WithEnvironment("PG_DATABASE", DatabaseConnectionName);
        var tcp = server.GetEndpoint("tcp");
        server.ConnectionStringExpression = ReferenceExpression.Create(
            $"Host={tcp.Property(EndpointProperty.Host)};Port={tcp.Property(EndpointProperty.Port)};Username=postgres;Password={password};Database={DatabaseConnectionName}");
        builder.Services.AddHealthChecks().AddAsyncCheck("postgres-ready", ct => ReadinessChecks.PostgresAsync(server, ct));
        return resource.WithHealthCheck("postgres-ready");
    }

    private static IResourceBuilder<IResourceWithConnectionString> AddNativeRabbitMq(IDistributedApplicationBuilder builder, string root, string data)
    {
        var password = builder.AddParameter("rabbitmq-password", LocalSecrets.GetOrCreate(data, "rabbitmq-password"), secret: true);
        var server = new NativeServerResource(BrokerConnectionName, root);
        var resource = builder.AddResource(server)
            .WithArgs("eng/native/rabbitmq.sh")
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "AMQP_PORT", port: LocalPorts.Get(builder.Configuration, "Ports:Amqp"), isProxied: false)
            // Like every endpoint here, not behind Aspire's proxy (LocalPorts says why); Erlang's distribution and epmd
            // ports could not be anyway: they must be what the node itself listens on.
            .WithEndpoint(name: "dist", scheme: "tcp", env: "DIST_PORT", isProxied: false)
            .WithEndpoint(name: "epmd", scheme: "tcp", env: "EPMD_PORT", isProxied: false)
            .WithEnvironment("RABBITMQ_DATA_DIR", Path.Combine(data, "rabbitmq"))
            .WithEnvironment("RABBITMQ_USER", "promta")
            .WithEnvironment("RABBITMQ_PASSWORD", password);
        var tcp = server.GetEndpoint("tcp");
        server.ConnectionStringExpression = ReferenceExpression.Create(
            $"amqp://promta:{password}@{tcp.Property(EndpointProperty.Host)}:{tcp.Property(EndpointProperty.Port)}");
        builder.Services.AddHealthChecks().AddAsyncCheck("rabbitmq-ready", ct => ReadinessChecks.AmqpAsync(tcp, ct));
        return resource.WithHealthCheck("rabbitmq-ready");
    }

    private static IResourceBuilder<NativeServerResource> AddPowerDns(IDistributedApplicationBuilder builder, string root, string data, string apiKey, int dnsPort)
    {
        var key = builder.AddParameter("powerdns-api-key", apiKey, secret: true);
        var server = new NativeServerResource("powerdns", root);
        var resource = builder.AddResource(server)
            .WithArgs("eng/native/pdns.sh")
            .WithHttpEndpoint(name: "api", env: "API_PORT", port: LocalPorts.Get(builder.Configuration, "Ports:PowerDnsApi"), isProxied: false)
            .WithEnvironment("PDNS_DATA_DIR", Path.Combine(data, "powerdns"))
            .WithEnvironment("DNS_PORT", dnsPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("API_KEY", key);
        server.ConnectionStringExpression = ReferenceExpression.Create($"{server.GetEndpoint("api").Property(EndpointProperty.Url)}");
        builder.Services.AddHealthChecks().AddAsyncCheck("powerdns-ready", ct => ReadinessChecks.PowerDnsApiAsync(server.GetEndpoint("api"), apiKey, ct));
        return resource.WithHealthCheck("powerdns-ready");
    }
}
