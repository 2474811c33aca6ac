using System.Text.Json.Nodes;

namespace ProMTA.EndToEnd.HostileInput;

public sealed record ApiParameter(string Name, string In, JsonNode? Schema);

/// <summary>One operation of an OpenAPI document: where it lives, what it takes, and which service answers it.</summary>
public sealed record ApiOperation(string Service, string Method, string Path, IReadOnlyList<ApiParameter> Parameters, JsonNode? Body)
{
    public override string ToString() => $"{Method} {Path}";

    /// <summary>Every operation of a service's own document (/internal/openapi/v1.json) whose path starts with /api.</summary>
    public static IEnumerable<ApiOperation> Read(string service, JsonObject document)
    {
        var schemas = document["components"]?["schemas"]?.AsObject();
        foreach (var (path, item) in document["paths"]?.AsObject() ?? [])
        {
            if (!path.StartsWith("/api/", StringComparison.Ordinal) || item is not JsonObject operations) continue;
            foreach (var (method, operation) in operations)
            {
                if (method is "parameters" or "summary" or "description" || operation is not JsonObject op) continue;
                var parameters = (op["parameters"]?.AsArray() ?? [])
                    .Select(p => Resolve(p, document)!)
                    .Select(p => new ApiParameter(p["name"]!.GetValue<string>(), p["in"]!.GetValue<string>(), Resolve(p["schema"], document)))
                    .ToList();
                var body = op["requestBody"]?["content"]?["application/json"]?["schema"];
                yield return new ApiOperation(service, method.ToUpperInvariant(), path, parameters, body is null ? null : Resolve(body, document));
            }
        }
    }

    /// <summary>Follows a local $ref ("#/components/schemas/X").</summary>
    public static JsonNode? Resolve(JsonNode? node, JsonObject document)
    {
        for (var hops = 0; hops < 10 && node?["$ref"]?.GetValue<string>() is { } reference; hops++)
        {
            node = reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries)
                .Aggregate((JsonNode?)document, (current, part) => current?[part]);
        }
        return node;
    }
}
