using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Auth;

namespace ProMTA.ServiceDefaults.Http;

/// <summary>A peer that did not answer a fan-out, and why (no answer within the timeout, refused, an HTTP error).</summary>
public sealed record PeerError(string Service, string Error);

/// <summary>What several services answered, and which did not.</summary>
public sealed record PeerAnswers<T>(IReadOnlyList<T> Items, IReadOnlyList<string> Unavailable, IReadOnlyList<PeerError> PeerErrors);

public sealed class PlatformPeersOptions
{
    public const string Section = "PlatformPeers";

    /// <summary>
    /// How long a staff view waits for each peer before showing what the others answered: one hung service must not
    /// hold the operator's page for the standard resilience handler's 30 seconds.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);
}

/// <summary>
/// The other services, by their service-discovery names, for staff views that gather from all of them (an order's
/// flow, dead letters). The staff caller's signed header is passed on, so each service authorizes the request itself.
/// </summary>
public sealed class PlatformPeers(IHttpClientFactory http, IOptions<PlatformPeersOptions> options, IReadOnlyList<string> names)
{
    public const string HttpClientName = "platform-peers";

    public IReadOnlyList<string> Names => names;

    /// <summary>
    /// GETs <paramref name="path"/> (a JSON array) from every peer at once, each within the peer timeout; a peer that
    /// fails or is late is listed as unavailable, with its error, and the others' answers are returned.
    /// </summary>
    public async Task<PeerAnswers<T>> GatherAsync<T>(HttpContext caller, string path, CancellationToken ct)
    {
        var answers = await Task.WhenAll(names.Select(name => AskAsync<T>(caller, name, path, ct)));
        return new PeerAnswers<T>(
            [.. answers.SelectMany(a => a.Items ?? [])],
            [.. answers.Where(a => a.Items is null).Select(a => a.Name)],
            [.. answers.Where(a => a.Items is null).Select(a => new PeerError(a.Name, a.Error ?? "empty answer"))]);
    }

    private async Task<(string Name, List<T>? Items, string? Error)> AskAsync<T>(HttpContext caller, string name, string path, CancellationToken ct)
    {
        var timeout = options.Value.Timeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await SendAsync(caller, name, HttpMethod.Get, path, deadline.Token);
            if (!response.IsSuccessStatusCode) return (name, null, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            return (name, await response.Content.ReadFromJsonAsync<List<T>>(deadline.Token), null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (name, null, $"no answer within {timeout.TotalSeconds:0.###} s");
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException)
        {
            return (name, null, ex.Message);
        }
    }

    public Task<HttpResponseMessage> SendAsync(HttpContext caller, string peer, HttpMethod method, string path, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, new Uri($"http://{peer}{path}"));
        request.Headers.TryAddWithoutValidation(CallerToken.HeaderName, caller.Request.Headers[CallerToken.HeaderName].ToString());
        return http.CreateClient(HttpClientName).SendAsync(request, ct);
    }
}

public static class PlatformPeersExtensions
{
    /// <summary>
    /// For the service that answers the staff's platform-wide views: the peers to gather from (each needs a reference
    /// in the AppHost for service discovery) and the order flow and dead-letter views built on them.
    /// </summary>
    public static IServiceCollection AddPlatformPeers(this IServiceCollection services, params string[] names)
    {
        services.AddOptions<PlatformPeersOptions>().BindConfiguration(PlatformPeersOptions.Section)
            .Validate(o => o.Timeout > TimeSpan.Zero, $"{PlatformPeersOptions.Section}:Timeout must be positive")
            .ValidateOnStart();
        // No retries for staff views (the operator reloads; a replay must not be sent twice): one attempt, bounded by
        // PlatformPeers:Timeout per peer for the fan-outs, by the client's timeout for a replay.
        // RemoveAllResilienceHandlers is marked for evaluation (since 9.0); it is the documented way to take a client
        // out of ConfigureHttpClientDefaults' standard handler.
#pragma warning disable EXTEXP0001
        services.AddHttpClient(PlatformPeers.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        services.AddSingleton(sp => new PlatformPeers(
            sp.GetRequiredService<IHttpClientFactory>(), sp.GetRequiredService<IOptions<PlatformPeersOptions>>(), names));
        services.AddSingleton<Messaging.Flow.MessageFlow>();
        services.AddSingleton<Messaging.DeadLetters.DeadLetterAdmin>();
        return services;
    }
}
