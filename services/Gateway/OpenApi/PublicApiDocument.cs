using Scalar.AspNetCore;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Caching.Memory;
using Yarp.ReverseProxy.Configuration;

namespace ProMTA.Gateway.OpenApi;

/// <summary>
/// The public API's OpenAPI document, generated from the code: each service describes its own routes at
/// /openapi/v1.json, and the gateway keeps exactly the operations its routes expose (nothing internal), merged
/// into one document with the bearer scheme.
/// </summary>
public static class PublicApiDocument
{
    public const string Path = "/openapi/v1.json";
    public const string HttpClientName = "openapi";
    private static readonly string[] Services = ["ordering", "billing", "delivery", "dns", "provisioning"];
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    public static IEndpointRouteBuilder MapPublicApiDocs(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, GetAsync).ExcludeFromDescription();
        app.MapScalarApiReference("/api/docs", options => options.WithTitle("ProMTA API").WithOpenApiRoutePattern(Path));
        return app;
    }

    private static async Task<IResult> GetAsync(IHttpClientFactory clients, IProxyConfigProvider proxy, IMemoryCache cache, CancellationToken ct)
    {
        var document = await cache.GetOrCreateAsync("openapi", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            return (await BuildAsync(clients.CreateClient(HttpClientName), proxy.GetConfig().Routes, ct)).ToJsonString();
        });
        return Results.Text(document!, "application/json");
    }

    private static async Task<JsonObject> BuildAsync(HttpClient http, IReadOnlyList<RouteConfig> routes, CancellationToken ct)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var service in Services)
        {
            var source = JsonNode.Parse(await http.GetStringAsync($"http://{service}{ServiceDefaultsExtensions.OpenApiPath.Replace("{documentName}", "v1")}", ct))!.AsObject();
            foreach (var (path, operations) in source["paths"]?.AsObject() ?? [])
            {
                if (!IsRouted(path, service, routes)) continue;
                paths[path] = operations!.DeepClone();
            }
            foreach (var (name, schema) in source["components"]?["schemas"]?.AsObject() ?? [])
            {
                schemas[name] ??= schema!.DeepClone();
            }
        }
        return new JsonObject
        {
            ["openapi"] = "3.1.1",
            ["info"] = new JsonObject { ["title"] = "ProMTA public API", ["version"] = "v1" },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/" }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["securitySchemes"] = new JsonObject
                {
                    ["bearer"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["description"] = "An API key (pmk_...) or an access token (pat_...)" },
                },
            },
            ["security"] = new JsonArray(new JsonObject { ["bearer"] = new JsonArray() }),
        };
    }

    /// <summary>An operation is public when a gateway route to the same service matches its path template.</summary>
    private static bool IsRouted(string path, string service, IReadOnlyList<RouteConfig> routes) =>
        routes.Any(r => r.ClusterId == service && r.Match.Path is { } pattern && Matches(pattern, path));

    private static bool Matches(string pattern, string path)
    {
        var p = pattern.Trim('/').Split('/');
        var s = path.Trim('/').Split('/');
        for (var i = 0; i < p.Length; i++)
        {
            if (p[i].StartsWith("{**", StringComparison.Ordinal)) return true;
            if (i >= s.Length) return false;
            if (!p[i].StartsWith('{') && !string.Equals(p[i], s[i], StringComparison.OrdinalIgnoreCase)) return false;
        }
        return p.Length == s.Length;
    }
}
