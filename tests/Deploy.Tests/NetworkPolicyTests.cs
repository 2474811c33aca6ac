using System.Text.Json.Nodes;
using static ProMTA.Deploy.Tests.Manifests;

namespace ProMTA.Deploy.Tests;

/// <summary>
/// Issue 14, section 6: only the gateway (through the ingress) and Delivery's relay port are reachable from outside;
/// the services' HTTP APIs take connections from the gateway, and from Ordering where its staff views gather.
/// </summary>
public sealed class NetworkPolicyTests
{
    /// <summary>Ordering's PlatformPeers: the staff views (order flow, dead letters) ask these services directly.</summary>
    private static readonly string[] AskedByOrdering = ["billing", "provisioning", "dns", "delivery"];

    [Theory]
    [MemberData(nameof(Overlays), MemberType = typeof(Manifests))]
    public void Every_service_admits_only_its_callers_and_only_the_gateway_and_the_relay_are_public(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        foreach (var service in Services)
        {
            var rules = IngressRules(rendered, service);
            var publicPorts = rules.Where(r => r["from"] is null).SelectMany(Ports).ToList();
            var callers = rules.Where(r => r["from"] is not null).SelectMany(r => r["from"]!.AsArray()).Select(Caller).ToList();
            Assert.All(rules.Where(r => r["from"] is not null).SelectMany(Ports), port => Assert.Equal("http", port));

            switch (service)
            {
                case "gateway":
                    Assert.Equal(["http"], publicPorts);
                    break;
                case "delivery":
                    Assert.Equal(["smtp"], publicPorts);
                    Assert.Equal(["gateway", "ordering"], callers.Order());
                    break;
                default:
                    Assert.Empty(publicPorts);
                    Assert.Equal(AskedByOrdering.Contains(service) ? ["gateway", "ordering"] : ["gateway"], callers.Order());
                    break;
            }
            // Every named port a policy opens is one the service's container declares.
            var declared = Container(rendered.Single("Deployment", service))["ports"]!.AsArray().Select(p => String(p, "name")).ToList();
            Assert.All(rules.SelectMany(Ports), port => Assert.Contains(port, declared));
        }
    }

    [Theory]
    [MemberData(nameof(Overlays), MemberType = typeof(Manifests))]
    public void Delivery_on_the_host_network_serves_its_api_on_the_nodes_cluster_address_only(string overlay)
    {
        var delivery = RenderedOverlay.Get(overlay).Single("Deployment", "delivery");
        Assert.Equal("true", String(PodSpec(delivery), "hostNetwork"));
        var container = Container(delivery);
        var hostIp = Env(container).Single(e => String(e, "name") == "HOST_IP");
        Assert.Equal("status.hostIP", String(hostIp, "valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal($"http://$(HOST_IP):{EnvValue(container, "ASPNETCORE_HTTP_PORTS")}", EnvValue(container, "ASPNETCORE_URLS"));
    }

    [Theory]
    [MemberData(nameof(Overlays), MemberType = typeof(Manifests))]
    public void Nothing_inside_the_cluster_calls_a_service_the_policies_close_to_it(string overlay)
    {
        // The Stripe emulator's webhooks (local overlay) go through the gateway, as Stripe's do.
        var rendered = RenderedOverlay.Get(overlay);
        foreach (var deployment in rendered.OfKind("Deployment").Where(d => !Services.Contains(String(d, "metadata", "name"))))
        {
            foreach (var env in Containers(deployment).SelectMany(Env))
            {
                var value = String(env, "value") ?? "";
                Assert.DoesNotMatch(@"^https?://(ordering|billing|provisioning|dns|delivery)([:/]|$)", value);
            }
        }
    }

    private static List<JsonObject> IngressRules(RenderedOverlay rendered, string service)
    {
        var policies = rendered.OfKind("NetworkPolicy")
            .Where(p => String(p, "spec", "podSelector", "matchLabels", "app.kubernetes.io/name") == service).ToList();
        var policy = Assert.Single(policies);
        Assert.Contains("Ingress", policy["spec"]!["policyTypes"]!.AsArray().Select(t => (string?)t));
        return [.. policy["spec"]!["ingress"]!.AsArray().Select(r => r!.AsObject())];
    }

    private static IEnumerable<string> Ports(JsonObject rule) =>
        rule["ports"]?.AsArray().Select(p => String(p, "port")!) ?? throw new Xunit.Sdk.XunitException("a rule without ports opens every port");

    /// <summary>A peer must be a ProMTA pod by name: no IP blocks, no other namespaces.</summary>
    private static string Caller(JsonNode? peer)
    {
        Assert.Null(peer!["ipBlock"]);
        Assert.Null(peer["namespaceSelector"]);
        return String(peer, "podSelector", "matchLabels", "app.kubernetes.io/name")!;
    }
}
