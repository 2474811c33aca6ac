using System.Text.Json.Nodes;

namespace ProMTA.Deploy.Tests;

/// <summary>Reading the parts of rendered objects the checks look at.</summary>
public static class Manifests
{
    /// <summary>The ProMTA services; all but Delivery are stateless and scale horizontally.</summary>
    public static readonly string[] Services = ["gateway", "ordering", "billing", "provisioning", "dns", "delivery"];
    public static readonly string[] Stateless = ["gateway", "ordering", "billing", "provisioning", "dns"];
    public static readonly string[] OnTheBus = ["ordering", "billing", "provisioning", "dns", "delivery"];

    public static TheoryData<string> Overlays => ["local", "production"];

    public static JsonObject PodSpec(JsonObject workload) => workload["spec"]!["template"]!["spec"]!.AsObject();

    public static IEnumerable<JsonObject> Containers(JsonObject workload) =>
        PodSpec(workload)["containers"]!.AsArray().Select(c => c!.AsObject());

    public static JsonObject Container(JsonObject workload) => Containers(workload).Single();

    public static IEnumerable<JsonObject> Env(JsonObject container) =>
        container["env"]?.AsArray().Select(e => e!.AsObject()) ?? [];

    public static string? EnvValue(JsonObject container, string name) =>
        (string?)Env(container).SingleOrDefault(e => (string?)e["name"] == name)?["value"];

    public static string? String(JsonNode? node, params string[] path)
    {
        foreach (var key in path) node = node?[key];
        return (string?)node;
    }
}
