using System.Text.RegularExpressions;
using ProMTA.TestKit;
using static ProMTA.Deploy.Tests.Manifests;

namespace ProMTA.Deploy.Tests;

public sealed partial class SecretTests
{
    /// <summary>Made by the operators themselves: the RabbitMQ default user and the PowerDNS database owner.</summary>
    private static readonly string[] OperatorSecrets = ["promta-rabbitmq-default-user", "powerdns-db-app"];

    [GeneratedRegex("password|secret|key|token", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    // A password (in a connection string, a URL or a config file) must be a placeholder filled from a Secret at
    // run time: $(VAR) for Kubernetes, {{ VAR }} for the PowerDNS image's templates; never the value itself.
    [GeneratedRegex(@"(password|api-key|secret)\s*=\s*(?!\$\([A-Z_]+\)|\{\{\s*[A-Z_]+\s*\}\})[^;\s]|amqp://[^:/@]*:(?!\$\([A-Z_]+\)@)", RegexOptions.IgnoreCase)]
    private static partial Regex LiteralPassword();

    [Theory]
    [InlineData("Host=db;Username=u;Password=hunter2", true)]
    [InlineData("amqp://promta:hunter2@rabbitmq:5672", true)]
    [InlineData("gpgsql-password=hunter2", true)]
    [InlineData("Host=db;Username=$(DB_USERNAME);Password=$(DB_PASSWORD)", false)]
    [InlineData("amqp://$(RABBITMQ_USERNAME):$(RABBITMQ_PASSWORD)@promta-rabbitmq:5672", false)]
    [InlineData("gpgsql-password={{ PDNS_GPGSQL_PASSWORD }}", false)]
    public void A_literal_password_is_told_from_a_placeholder(string value, bool literal) =>
        Assert.Equal(literal, LiteralPassword().IsMatch(value));

    [Theory]
    [MemberData(nameof(Overlays), MemberType = typeof(Manifests))]
    public void No_secret_value_is_written_in_a_deployment_or_config_map(string overlay)
    {
        var rendered = RenderedOverlay.Get(overlay);
        Assert.Empty(rendered.OfKind("Secret"));
        foreach (var deployment in rendered.OfKind("Deployment"))
        {
            foreach (var env in Containers(deployment).SelectMany(Env))
            {
                var name = String(env, "name")!;
                var value = String(env, "value");
                if (SecretName().IsMatch(name) && !name.EndsWith("Path", StringComparison.Ordinal))
                {
                    Assert.True(value is null && String(env, "valueFrom", "secretKeyRef", "name") is not null,
                        $"{overlay}: {String(deployment, "metadata", "name")} sets {name} without a secretKeyRef");
                }
                Assert.False(value is not null && LiteralPassword().IsMatch(value), $"{overlay}: {name} holds a literal password");
            }
        }
        foreach (var configMap in rendered.OfKind("ConfigMap"))
        {
            foreach (var (key, value) in configMap["data"]?.AsObject() ?? [])
            {
                var text = (string?)value ?? "";
                Assert.False(LiteralPassword().IsMatch(text), $"{overlay}: ConfigMap {String(configMap, "metadata", "name")}/{key} holds a password");
            }
        }
    }

    [Fact]
    public void Every_secret_the_manifests_reference_is_made_by_the_script_or_an_operator()
    {
        var script = File.ReadAllText(Path.Combine(Repository.Root, "deploy", "scripts", "create-secrets.sh"));
        foreach (var overlay in new[] { "local", "production" })
        {
            var referenced = RenderedOverlay.Get(overlay).Objects.SelectMany(SecretNames).Distinct();
            foreach (var name in referenced.Except(OperatorSecrets))
            {
                Assert.True(script.Contains(name, StringComparison.Ordinal) || name.StartsWith("promta-db-", StringComparison.Ordinal) && script.Contains("promta-db-$", StringComparison.Ordinal),
                    $"{overlay} references Secret {name}, which deploy/scripts/create-secrets.sh does not make");
            }
        }
    }

    private static IEnumerable<string> SecretNames(System.Text.Json.Nodes.JsonObject obj)
    {
        // secretKeyRef.name, volumes' secret.secretName and CloudNativePG's passwordSecret.name, wherever they are.
        var found = new List<string>();
        void Walk(System.Text.Json.Nodes.JsonNode? node)
        {
            if (node is System.Text.Json.Nodes.JsonObject o)
            {
                foreach (var (key, value) in o)
                {
                    if (key is "secretKeyRef" or "passwordSecret" && String(value, "name") is { } name) found.Add(name);
                    else if (key == "secretName" && (string?)value is { } secretName && String(obj, "kind") != "Ingress") found.Add(secretName);
                    Walk(value);
                }
            }
            else if (node is System.Text.Json.Nodes.JsonArray a)
            {
                foreach (var item in a) Walk(item);
            }
        }
        Walk(obj);
        return found;
    }
}
