using static ProMTA.Deploy.Tests.Manifests;

namespace ProMTA.Deploy.Tests;

public sealed class OverlayTests
{
    [Theory]
    [MemberData(nameof(Overlays), MemberType = typeof(Manifests))]
    public void Every_service_has_a_deployment_and_a_service(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        foreach (var name in Services)
        {
            var deployment = rendered.Single("Deployment", name);
            var service = rendered.Single("Service", name);
            Assert.Equal(name, String(deployment, "spec", "selector", "matchLabels", "app.kubernetes.io/name"));
            Assert.Equal(name, String(service, "spec", "selector", "app.kubernetes.io/name"));
            Assert.Equal("http", String(service["spec"]!["ports"]![0], "targetPort"));
            Assert.Equal("promta", String(deployment, "metadata", "namespace"));
        }
        var ingress = rendered.Single("Ingress", "gateway");
        Assert.Equal("gateway", String(ingress["spec"]!["rules"]![0]!["http"]!["paths"]![0], "backend", "service", "name"));
    }

    [Theory]
    [MemberData(nameof(Overlays), MemberType = typeof(Manifests))]
    public void The_servers_run_under_their_operators(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);

        var database = rendered.Single("Cluster", "promta-db");
        Assert.Equal("postgresql.cnpg.io/v1", String(database, "apiVersion"));
        Assert.Equal("promta", String(database, "spec", "bootstrap", "initdb", "database"));
        var roles = database["spec"]!["managed"]!["roles"]!.AsArray().ToDictionary(r => String(r, "name")!, r => String(r, "passwordSecret", "name"));
        foreach (var service in OnTheBus)
        {
            Assert.Equal($"promta-db-{service}", roles[service]);
        }

        var broker = rendered.Single("RabbitmqCluster", "promta-rabbitmq");
        Assert.Equal("rabbitmq.com/v1beta1", String(broker, "apiVersion"));
        Assert.Equal(overlay == "production" ? "3" : "1", String(broker, "spec", "replicas"));

        // PowerDNS on its own CloudNativePG cluster, with the gpgsql schema run at bootstrap.
        var dnsDatabase = rendered.Single("Cluster", "powerdns-db");
        var schemaRefs = dnsDatabase["spec"]!["bootstrap"]!["initdb"]!["postInitApplicationSQLRefs"]!["configMapRefs"]!.AsArray();
        var schema = rendered.Single("ConfigMap", String(schemaRefs[0], "name")!);
        Assert.Contains("CREATE TABLE domains", String(schema, "data", String(schemaRefs[0], "key")!));
        var powerDns = rendered.Single("Deployment", "powerdns");
        var config = rendered.Single("ConfigMap", String(PodSpec(powerDns)["volumes"]!.AsArray().First(v => v!["configMap"] is not null), "configMap", "name")!);
        Assert.Contains("launch=gpgsql", String(config, "data", "pdns.conf"));
        // Through PgBouncer (a session per API request), pooling sessions: PowerDNS prepares statements per session.
        var pooler = rendered.Single("Pooler", "powerdns-db-pooler");
        Assert.Equal("powerdns-db", String(pooler, "spec", "cluster", "name"));
        Assert.Equal("rw", String(pooler, "spec", "type"));
        Assert.Equal("session", String(pooler, "spec", "pgbouncer", "poolMode"));
        Assert.Equal(overlay == "production" ? "2" : "1", String(pooler, "spec", "instances"));
        Assert.Equal("powerdns-db-pooler", EnvValue(Container(powerDns), "PDNS_GPGSQL_HOST"));
    }

    [Theory]
    [MemberData(nameof(Overlays), MemberType = typeof(Manifests))]
    public void Services_on_the_bus_use_quorum_queues_and_their_own_database_role(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        foreach (var name in OnTheBus)
        {
            var container = Container(rendered.Single("Deployment", name));
            Assert.Equal("true", EnvValue(container, "Messaging__QuorumQueues"));
            Assert.StartsWith("amqp://", EnvValue(container, "ConnectionStrings__rabbitmq"));
            Assert.Contains("@promta-rabbitmq:5672", EnvValue(container, "ConnectionStrings__rabbitmq"));
            Assert.Contains("Host=promta-db-rw;", EnvValue(container, "ConnectionStrings__promta"));
            var user = Env(container).Single(e => String(e, "name") == "DB_USERNAME");
            Assert.Equal($"promta-db-{name}", String(user, "valueFrom", "secretKeyRef", "name"));
        }
    }

    /// <summary>
    /// Every replica of every service opens its own pool, and all of them share the database's max_connections: at the
    /// autoscalers' maximum they must still fit, with PostgreSQL's superuser reserve (3) and room for operators, or a
    /// scale-out is refused connections ("too many clients") in whichever service grows last.
    /// </summary>
    [Theory]
    [MemberData(nameof(Overlays), MemberType = typeof(Manifests))]
    public void Every_service_pool_at_its_autoscaler_maximum_fits_in_the_database_connections(string overlay)
    {
        const int reserved = 3 + 10;
        var rendered = RenderedOverlay.Get(overlay);
        var maxConnections = int.Parse(String(rendered.Single("Cluster", "promta-db"), "spec", "postgresql", "parameters", "max_connections")!);
        var connections = 0;
        foreach (var name in OnTheBus)
        {
            var deployment = rendered.Single("Deployment", name);
            var pool = EnvValue(Container(deployment), "Database__MaxPoolSize");
            Assert.True(pool is not null, $"{overlay}: {name} does not bound its connection pool (Database__MaxPoolSize)");
            var replicas = rendered.Find("HorizontalPodAutoscaler", name) is { } autoscaler
                ? int.Parse(String(autoscaler, "spec", "maxReplicas")!)
                : int.Parse(String(deployment, "spec", "replicas") ?? "1");
            connections += replicas * int.Parse(pool);
        }
        Assert.True(connections + reserved <= maxConnections,
            $"{overlay}: the services' pools may open {connections} connections, {reserved} are reserved, max_connections is {maxConnections}");
    }

    /// <summary>Kubernetes expands $(VAR) only from variables listed before it; any other reference stays literal text.</summary>
    [Theory]
    [MemberData(nameof(Overlays), MemberType = typeof(Manifests))]
    public void Every_variable_a_value_refers_to_is_defined_before_it(string overlay)
    {
        foreach (var deployment in RenderedOverlay.Get(overlay).OfKind("Deployment"))
        {
            foreach (var container in Containers(deployment))
            {
                var defined = new HashSet<string>();
                foreach (var env in Env(container))
                {
                    foreach (System.Text.RegularExpressions.Match reference in System.Text.RegularExpressions.Regex.Matches(String(env, "value") ?? "", @"\$\(([A-Za-z_][A-Za-z0-9_]*)\)"))
                    {
                        Assert.True(defined.Contains(reference.Groups[1].Value),
                            $"{overlay}: {String(container, "name")} uses $({reference.Groups[1].Value}) in {String(env, "name")} before defining it");
                    }
                    defined.Add(String(env, "name")!);
                }
            }
        }
    }

    /// <summary>The configuration keys AppHost/Platform.cs gives each service, as environment variables.</summary>
    [Theory]
    [MemberData(nameof(Overlays), MemberType = typeof(Manifests))]
    public void Each_service_gets_the_settings_the_app_host_gives_it(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        var required = new Dictionary<string, string[]>
        {
            ["gateway"] = ["Auth__InternalSecret", "services__ordering__http__0", "services__billing__http__0", "services__delivery__http__0", "services__dns__http__0", "services__provisioning__http__0"],
            ["ordering"] = ["Auth__InternalSecret", "Auth__TokenSigningKey", "Staff__Email", "Staff__Password", "Relay__Host", "Relay__Port"],
            ["billing"] = ["Auth__InternalSecret", "Billing__TimeZone", "Billing__PortalUrl", "Stripe__Webhooks__Secret"],
            ["provisioning"] = ["Auth__InternalSecret"],
            ["dns"] = ["Auth__InternalSecret", "Dkim__EncryptionKey", "PowerDns__ApiUrl", "PowerDns__ApiKey", "PowerDns__DnsEndpoint"],
            ["delivery"] = ["Auth__InternalSecret", "Dkim__EncryptionKey", "Relay__Address", "Relay__Port", "Delivery__Resolvers__0", "Inbound__DedicatedIpPort"],
        };
        foreach (var (service, keys) in required)
        {
            var names = Env(Container(rendered.Single("Deployment", service))).Select(e => String(e, "name")).ToHashSet();
            Assert.All(keys, key => Assert.Contains(key, names));
        }
        // Billing talks to Stripe in production and to the emulator on a local cluster, never to neither.
        var billing = Env(Container(rendered.Single("Deployment", "billing"))).Select(e => String(e, "name")).ToHashSet();
        Assert.Contains(overlay == "production" ? "Stripe__SecretKey" : "Stripe__EmulatorUrl", billing);
        Assert.Equal(overlay == "local", rendered.Find("Deployment", "stripe-emulator") is not null);
    }
}
