using System.Text;
using System.Text.Json.Nodes;

namespace ProMTA.EndToEnd.HostileInput;

/// <summary>The ids a plausible request would carry: the test customer's own, so handlers get past "not found".</summary>
public sealed record KnownIds(Guid CustomerId, Guid OrderId, Guid ServiceId);

public sealed record Variant(string Label, Func<HttpRequestMessage> Create);

/// <summary>
/// For one operation: a plausible request built from its schema, then that request with one hostile value at a
/// time in each route value, query parameter, header and body field, and hostile whole bodies.
/// </summary>
public sealed class RequestVariants(ApiOperation operation, JsonObject document, KnownIds ids)
{
    private const string Marker = "__HOSTILE_VALUE__";

    public IEnumerable<Variant> Plausible()
    {
        yield return new Variant("plausible", () => Build(PathWith(null, null), QueryWith(null, null), null, null, BodyText(null, null), "application/json"));
    }

    public IEnumerable<Variant> All()
    {
        foreach (var v in Plausible()) yield return v;
        foreach (var parameter in operation.Parameters)
        {
            switch (parameter.In)
            {
                case "path":
                    foreach (var value in HostileValues.Url)
                    {
                        yield return new Variant($"path {parameter.Name}={Short(value)}",
                            () => Build(PathWith(parameter.Name, value), QueryWith(null, null), null, null, BodyText(null, null), "application/json"));
                    }
                    break;
                case "query":
                    foreach (var value in HostileValues.Url)
                    {
                        yield return new Variant($"query {parameter.Name}={Short(value)}",
                            () => Build(PathWith(null, null), QueryWith(parameter.Name, value), null, null, BodyText(null, null), "application/json"));
                    }
                    break;
                case "header":
                    foreach (var value in HostileValues.Header)
                    {
                        yield return new Variant($"header {parameter.Name}={Short(value)}",
                            () => Build(PathWith(null, null), QueryWith(null, null), parameter.Name, value, BodyText(null, null), "application/json"));
                    }
                    break;
            }
        }
        if (operation.Body is null) yield break;
        foreach (var field in Fields(Baseline(operation.Body, 0)!, "", 0))
        {
            foreach (var (label, json) in HostileValues.Json)
            {
                yield return new Variant($"body {field}={label}",
                    () => Build(PathWith(null, null), QueryWith(null, null), null, null, BodyText(field, json), "application/json"));
            }
        }
        foreach (var (label, body, contentType) in HostileValues.Bodies)
        {
            yield return new Variant($"body {label}", () => Build(PathWith(null, null), QueryWith(null, null), null, null, body, contentType));
        }
    }

    private HttpRequestMessage Build(string path, string query, string? header, string? headerValue, string? body, string contentType)
    {
        var request = new HttpRequestMessage(new HttpMethod(operation.Method), path + query);
        foreach (var parameter in operation.Parameters.Where(p => p.In == "header"))
        {
            request.Headers.TryAddWithoutValidation(parameter.Name, parameter.Name == header ? headerValue : Guid.NewGuid().ToString());
        }
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        return request;
    }

    private string PathWith(string? name, string? value)
    {
        var path = operation.Path;
        foreach (var parameter in operation.Parameters.Where(p => p.In == "path"))
        {
            path = path.Replace("{" + parameter.Name + "}", parameter.Name == name ? value : Uri.EscapeDataString(PlausibleText(parameter.Name, parameter.Schema)));
        }
        return path;
    }

    private string QueryWith(string? name, string? value) =>
        name is null ? "" : $"?{Uri.EscapeDataString(name)}={value}";

    private string? BodyText(string? field, string? json)
    {
        if (operation.Body is null) return null;
        var body = Baseline(operation.Body, 0);
        if (field is null) return body?.ToJsonString() ?? "{}";
        Set(body!, field, Marker);
        return body!.ToJsonString().Replace($"\"{Marker}\"", json, StringComparison.Ordinal);
    }

    private string PlausibleText(string name, JsonNode? schema)
    {
        var lower = name.ToLowerInvariant();
        if (lower.Contains("service")) return ids.ServiceId.ToString();
        if (lower.Contains("order")) return ids.OrderId.ToString();
        if (lower.Contains("customer")) return ids.CustomerId.ToString();
        return Format(schema) == "uuid" ? Guid.NewGuid().ToString() : "fuzz";
    }

    /// <summary>A value of the schema's shape: "fuzz" for text, 1 for numbers, the known ids for id fields.</summary>
    private JsonNode? Baseline(JsonNode? schema, int depth)
    {
        schema = ApiOperation.Resolve(schema, document);
        if (schema is null || depth > 4) return null;
        if ((schema["oneOf"] ?? schema["anyOf"]) is JsonArray choices)
        {
            return Baseline(choices.FirstOrDefault(c => Types(ApiOperation.Resolve(c, document)).All(t => t != "null")) ?? choices.FirstOrDefault(), depth);
        }
        var types = Types(schema);
        if (types.Contains("object") || schema["properties"] is not null)
        {
            var result = new JsonObject();
            foreach (var (name, property) in schema["properties"]?.AsObject() ?? [])
            {
                result[name] = Format(ApiOperation.Resolve(property, document)) == "uuid" ? PlausibleText(name, property) : Baseline(property, depth + 1);
            }
            return result;
        }
        if (types.Contains("array")) return new JsonArray(Baseline(schema["items"], depth + 1));
        if (types.Contains("integer") || types.Contains("number")) return 1;
        if (types.Contains("boolean")) return true;
        if (types.Contains("string"))
        {
            return Format(schema) switch
            {
                "uuid" => Guid.NewGuid().ToString(),
                "date-time" => "2030-01-01T00:00:00Z",
                "date" => "2030-01-01",
                _ => "fuzz",
            };
        }
        return null;
    }

    private static IEnumerable<string> Fields(JsonNode node, string prefix, int depth)
    {
        if (node is not JsonObject fields || depth > 2) yield break;
        foreach (var (name, value) in fields)
        {
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            yield return path;
            if (value is JsonObject) foreach (var nested in Fields(value, path, depth + 1)) yield return nested;
        }
    }

    private static void Set(JsonNode body, string path, string value)
    {
        var parts = path.Split('.');
        var target = parts[..^1].Aggregate(body, (node, part) => node[part]!);
        target[parts[^1]] = value;
    }

    private static string[] Types(JsonNode? schema) => schema?["type"] switch
    {
        JsonArray many => [.. many.Select(t => t!.GetValue<string>())],
        JsonValue one => [one.GetValue<string>()],
        _ => [],
    };

    private static string? Format(JsonNode? schema) => schema?["format"]?.GetValue<string>();

    private static string Short(string value) => value.Length > 40 ? $"{value[..10]}...({value.Length} chars)" : value;
}
