using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ProMTA.ServiceDefaults.Auth;

namespace ProMTA.ServiceDefaults.Http;

/// <summary>What several services answered, and which did not.</summary>
public sealed record PeerAnswers<T>(IReadOnlyList<T> Items, IReadOnlyList<string> Unavailable);

/// <summary>
/// The other services, by their service-discovery names, for staff views that gather from all of them (an order's
/// flow, dead letters). The staff caller's signed header is passed on, so each service authorizes the request itself.
/// </summary>
public sealed class PlatformPeers(IHttpClientFactory http, IReadOnlyList<string> names)
{
    public const string HttpClientName = "platform-peers";

    public IReadOnlyList<string> Names => names;

    /// <summary>GETs <paramref name="path"/> (a JSON array) from every peer; a peer that fails is listed as unavailable.</summary>
    public async Task<PeerAnswers<T>> GatherAsync<T>(HttpContext caller, string path, CancellationToken ct)
    {
        var answers = await Task.WhenAll(names.Select(async name =>
        {
            try
            {
                using var response = await SendAsync(caller, name, HttpMethod.Get, path, ct);
                response.EnsureSuccessStatusCode();
                return (name, items: await response.Content.ReadFromJsonAsync<List<T>>(ct));
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                return (name, items: null);
            }
        }));
        return new PeerAnswers<T>(
            [.. answers.SelectMany(a => a.items ?? [])],
            [.. answers.Where(a => a.items is null).Select(a => a.name)]);
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
        services.AddHttpClient(PlatformPeers.HttpClientName);
        services.AddSingleton(sp => new PlatformPeers(sp.GetRequiredService<IHttpClientFactory>(), names));
        services.AddSingleton<Messaging.Flow.MessageFlow>();
        services.AddSingleton<Messaging.DeadLetters.DeadLetterAdmin>();
        return services;
    }
}
