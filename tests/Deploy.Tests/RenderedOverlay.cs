using System.Diagnostics;
using System.Text.Json.Nodes;
using ProMTA.TestKit;
using YamlDotNet.RepresentationModel;

namespace ProMTA.Deploy.Tests;

/// <summary>One overlay as `kubectl kustomize deploy/overlays/{name}` renders it: the objects a cluster would get.</summary>
public sealed class RenderedOverlay
{
    private static readonly Dictionary<string, RenderedOverlay> Cache = [];

    private RenderedOverlay(string name, IReadOnlyList<JsonObject> objects)
    {
        Name = name;
        Objects = objects;
    }

    public string Name { get; }
    public IReadOnlyList<JsonObject> Objects { get; }

    public static RenderedOverlay Get(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out var overlay))
            {
                overlay = new RenderedOverlay(name, Parse(Kustomize(Path.Combine(Repository.Root, "deploy", "overlays", name))));
                Cache[name] = overlay;
            }
            return overlay;
        }
    }

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject? Find(string kind, string name) => OfKind(kind).SingleOrDefault(o => (string?)o["metadata"]?["name"] == name);

    public JsonObject Single(string kind, string name) =>
        Find(kind, name) ?? throw new Xunit.Sdk.XunitException($"{Name}: no {kind} {name} in the rendered overlay");

    /// <summary>Runs kubectl as a process: the same binary and kustomize version CI and operators use.</summary>
    private static string Kustomize(string directory)
    {
        var start = new ProcessStartInfo("kubectl", ["kustomize", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("kubectl is not on PATH: run eng/install-servers.sh", ex);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"kubectl kustomize {directory} failed ({process.ExitCode}): {stderr.Result}");
            }
            return stdout;
        }
    }

    private static List<JsonObject> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => ToJson(d.RootNode)).OfType<JsonObject>()];
    }

    // Scalars stay strings ("true", "3"): the checks compare what the manifest says, not a guessed type.
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(ToJson)]),
        YamlScalarNode scalar => scalar.Value is null ? null : JsonValue.Create(scalar.Value),
        _ => null,
    };
}
