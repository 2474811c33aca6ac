using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProMTA.EndToEnd.HostileInput;
using Xunit;
using Xunit.Abstractions;

namespace ProMTA.EndToEnd;

/// <summary>
/// Issue 14, section 5: no input reaches a 500. Every operation the services describe (their own OpenAPI documents,
/// which cover everything the gateway's public document lists) is sent hostile values in every route value, query
/// parameter, header and body field - as a customer, as an operator and anonymously, through the gateway - and any
/// 5xx is listed with the request that caused it.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class HostileInputTests(PlatformFixture platform, ITestOutputHelper output)
{
    private static readonly string[] Services = ["ordering", "billing", "delivery", "dns", "provisioning"];

    /// <summary>
    /// Public routes the gateway limits per client IP per minute (signup, login, demo requests, contact, password reset
    /// and mailed links): their variants go to the service directly, because going through the gateway would spend the
    /// whole run's per-IP budget in seconds.
    /// </summary>
    private static readonly HashSet<string> PerMinuteLimited =
    [
        "POST /api/customers", "POST /api/auth/token", "POST /api/auth/switch", "POST /api/demo-requests", "POST /api/contact", "POST /api/auth/password-reset",
        "POST /api/auth/password-reset/confirm", "POST /api/auth/email-verification/confirm", "POST /api/team/invitations/accept",
    ];

    private static readonly HashSet<string> Anonymous = ["GET /api/products", "POST /api/webhooks/stripe", .. PerMinuteLimited];

    [Fact]
    public async Task Every_route_answers_hostile_input_in_every_field_without_a_server_error()
    {
        var gatewayDocument = (await platform.Gateway.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
        var operations = new List<(ApiOperation Operation, JsonObject Document)>();
        foreach (var service in Services)
        {
            using var client = platform.ServiceClient(service);
            var document = (await client.GetFromJsonAsync<JsonObject>("/internal/openapi/v1.json"))!;
            operations.AddRange(ApiOperation.Read(service, document).Select(o => (o, document)));
        }
        foreach (var (path, _) in gatewayDocument["paths"]!.AsObject())
        {
            Assert.Contains(operations, o => o.Operation.Path == path);
        }

        var (ids, apiKey) = await CustomerWithAnOrderAsync();
        var identities = new (string Name, string? Authorization)[]
        {
            ("customer", "Bearer " + apiKey),
            // An operator of its own: hostile calls include logout-everywhere, which would end the shared operator's tokens.
            ("operator", "Bearer " + (await platform.CreateStaffAsync("operator")).Token),
            ("anonymous", null),
        };
        var failures = new ConcurrentBag<string>();
        var unanswered = new ConcurrentBag<string>();
        var sent = 0;
        // Streams side by side, each from a loopback address of its own (the gateway's per-IP buckets see separate
        // clients, and the run's 127.0.0.1 budget is left to the other tests): a request mostly waits on the services'
        // round trips, not on this machine's cores.
        const int streamsPerIdentity = 4;
        var streams = identities.SelectMany(identity => Enumerable.Range(0, streamsPerIdentity).Select(part =>
            (Identity: identity, Operations: operations.Where((_, i) => i % streamsPerIdentity == part).ToList()))).ToList();
        await Task.WhenAll(streams.Select((stream, index) => Task.Run(async () =>
        {
            var identity = stream.Identity;
            using var gateway = platform.GatewayFrom((byte)(20 + index));
            foreach (var (operation, document) in stream.Operations)
            {
                var key = operation.ToString();
                var variants = new RequestVariants(operation, document, ids);
                var direct = PerMinuteLimited.Contains(key);
                if (direct && identity.Authorization is not null) continue;
                // Where the caller may act, every hostile value; elsewhere the gateway or the service refuses the caller
                // before reading anything, so the plausible request is enough.
                var allowed = identity.Name switch
                {
                    "customer" => !operation.Path.StartsWith("/api/admin/", StringComparison.Ordinal),
                    "operator" => true,
                    _ => Anonymous.Contains(key),
                };
                using var directClient = direct ? platform.ServiceClient(operation.Service) : null;
                foreach (var variant in allowed ? variants.All() : variants.Plausible())
                {
                    var (status, detail) = await SendAsync(directClient ?? gateway, variant, identity.Authorization);
                    Interlocked.Increment(ref sent);
                    var line = $"{identity.Name} {key} [{variant.Label}]";
                    if (status is null) unanswered.Add($"{line}: {detail}");
                    else if (status >= 500) failures.Add($"{line} -> {status} {detail}");
                }
            }
        })));
        // Junk credentials count against their address's failed-credential budget: spent from an address of its own.
        using var junkClient = platform.GatewayFrom(19);
        foreach (var authorization in HostileValues.Authorization)
        {
            foreach (var path in new[] { "/api/orders", "/api/products" })
            {
                var (status, detail) = await SendAsync(junkClient,
                    new Variant("junk credential", () => new HttpRequestMessage(HttpMethod.Get, path)), authorization, raw: true);
                if (status is null or >= 500) failures.Add($"junk '{authorization[..Math.Min(20, authorization.Length)]}' GET {path} -> {status} {detail}");
            }
        }

        output.WriteLine($"{operations.Count} operations, {sent} requests; {unanswered.Count} without an answer");
        foreach (var line in unanswered.Take(20)) output.WriteLine("no answer: " + line);
        Assert.True(failures.IsEmpty, $"{failures.Count} server errors:\n" + string.Join("\n", failures.OrderBy(f => f).Take(200)));
    }

    private async Task<(KnownIds Ids, string ApiKey)> CustomerWithAnOrderAsync()
    {
        var email = $"hostile-{Guid.NewGuid():N}@example.test";
        using var signup = await platform.Gateway.PostAsJsonAsync("/api/customers", new { email, name = "Hostile", password = "correct horse battery" });
        Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
        var created = await signup.Content.ReadFromJsonAsync<JsonElement>();
        var apiKey = created.GetProperty("apiKey").GetString()!;
        var (orderId, serviceId, _) = await new Customer(platform.Gateway, apiKey, email).PlaceCardOrderAsync();
        return (new KnownIds(created.GetProperty("id").GetGuid(), orderId, serviceId), apiKey);
    }

    /// <summary>The status (null when the connection ended without one) and, for a 5xx, the start of the body.</summary>
    private static async Task<(int? Status, string Detail)> SendAsync(HttpClient client, Variant variant, string? authorization, bool raw = false)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = variant.Create();
            if (authorization is not null)
            {
                if (raw) request.Headers.TryAddWithoutValidation("Authorization", authorization);
                else request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
            }
            try
            {
                using var response = await client.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < 30)
                {
                    // The per-credential and per-IP limits are the gateway doing its job; wait as a client should.
                    await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                    continue;
                }
                var status = (int)response.StatusCode;
                if (status < 500) return (status, "");
                var body = await response.Content.ReadAsStringAsync();
                return (status, body.Length > 400 ? body[..400] : body);
            }
            catch (HttpRequestException) when (attempt == 0)
            {
                // A server may close the connection after refusing an oversized body; the next request on that
                // pooled connection then fails before it is sent. Once more on a fresh connection.
            }
            catch (HttpRequestException ex)
            {
                return (null, ex.Message);
            }
        }
    }
}
