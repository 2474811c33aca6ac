using System.Net.Http.Json;
using System.Text.Json;
using ProMTA.ServiceDefaults.Auth;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>Calls a <see cref="DeliveryProcess"/>'s HTTP API as the gateway does: the caller in the signed internal header.</summary>
public static class DeliveryApi
{
    public static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, Guid caller, object? body = null, string role = Roles.Customer) =>
        SendAsync(http, new HttpRequestMessage(method, path) { Content = body is null ? null : body as HttpContent ?? JsonContent.Create(body) }, caller, role);

    /// <summary>Any request (a CSV body, say) with the caller header added.</summary>
    public static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, Guid caller, string role = Roles.Customer)
    {
        request.Headers.Add(CallerToken.HeaderName, new CallerToken(DeliveryProcess.InternalSecret).Create(new Caller(caller, role), DateTimeOffset.UtcNow));
        return http.SendAsync(request);
    }

    /// <summary>A request as a team member of the account (the caller header the gateway makes for a member's credential).</summary>
    public static Task<HttpResponseMessage> SendAsMemberAsync(HttpClient http, HttpMethod method, string path, Caller member, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add(CallerToken.HeaderName, new CallerToken(DeliveryProcess.InternalSecret).Create(member, DateTimeOffset.UtcNow));
        return http.SendAsync(request);
    }

    /// <summary>The JSON of a successful call; anything else fails the test with the status and body.</summary>
    public static async Task<JsonElement> JsonAsync(HttpClient http, HttpMethod method, string path, Guid caller, object? body = null)
    {
        using var response = await SendAsync(http, method, path, caller, body);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The field names of a 400's validation errors.</summary>
    public static async Task<IReadOnlyList<string>> ErrorFieldsAsync(HttpResponseMessage response) =>
        [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name)];
}
