using static ProMTA.Deploy.Tests.Manifests;

namespace ProMTA.Deploy.Tests;

public sealed class SchedulingTests
{
    [Theory]
    [MemberData(nameof(Overlays), MemberType = typeof(Manifests))]
    public void Every_container_requests_cpu_and_memory(string overlay)
    {
        foreach (var deployment in RenderedOverlay.Get(overlay).OfKind("Deployment"))
        {
            foreach (var container in Containers(deployment))
            {
                Assert.False(string.IsNullOrEmpty(String(container, "resources", "requests", "cpu")), $"{String(container, "name")}: no cpu request");
                Assert.False(string.IsNullOrEmpty(String(container, "resources", "requests", "memory")), $"{String(container, "name")}: no memory request");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays), MemberType = typeof(Manifests))]
    public void Stateless_services_have_a_disruption_budget_and_an_autoscaler(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        foreach (var name in Stateless)
        {
            var budget = rendered.Single("PodDisruptionBudget", name);
            Assert.Equal(name, String(budget, "spec", "selector", "matchLabels", "app.kubernetes.io/name"));
            var autoscaler = rendered.Single("HorizontalPodAutoscaler", name);
            Assert.Equal("Deployment", String(autoscaler, "spec", "scaleTargetRef", "kind"));
            Assert.Equal(name, String(autoscaler, "spec", "scaleTargetRef", "name"));
            Assert.True(int.Parse(String(autoscaler, "spec", "maxReplicas")!) > int.Parse(String(autoscaler, "spec", "minReplicas")!));
            // The autoscaler owns the replica count; a count in the Deployment would be reset by every apply.
            Assert.Null(rendered.Single("Deployment", name)["spec"]!["replicas"]);
        }
        // Delivery sends from the addresses of its node: more replicas would not add addresses.
        Assert.Null(rendered.Find("HorizontalPodAutoscaler", "delivery"));
    }

    [Theory]
    [MemberData(nameof(Overlays), MemberType = typeof(Manifests))]
    public void Delivery_runs_on_the_mail_nodes_with_their_network(string overlay)
    {
        var delivery = RenderedOverlay.Get(overlay).Single("Deployment", "delivery");
        var pod = PodSpec(delivery);
        Assert.Equal("true", String(pod, "hostNetwork"));
        Assert.Equal("ClusterFirstWithHostNet", String(pod, "dnsPolicy"));
        Assert.Equal("true", String(pod, "nodeSelector", "promta.io/mail-node"));
        Assert.Contains(pod["tolerations"]!.AsArray(), t => String(t, "key") == "promta.io/mail-node" && String(t, "effect") == "NoSchedule");

        // The relay's port is the one the container declares (the node's own port, on the host network).
        var container = Container(delivery);
        var smtp = container["ports"]!.AsArray().Single(p => String(p, "name") == "smtp");
        Assert.Equal(EnvValue(container, "Relay__Port"), String(smtp, "containerPort"));
        Assert.Equal("0.0.0.0", EnvValue(container, "Relay__Address"));
    }
}
