using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;

namespace ProMTA.Delivery.Webhooks;

/// <summary>The body of every call: the endpoint, the service and a batch of events, oldest first.</summary>
public sealed record WebhookPayload(Guid WebhookId, Guid ServiceId, bool Replay, IReadOnlyList<WebhookEventView> Events);

/// <summary>One event; <c>Id</c> grows with time and is the receiver's key for ignoring a batch it already has (at least once).</summary>
public sealed record WebhookEventView(long Id, string Type, string? MessageId, string Recipient, string Provider, string? Reply, string? SourceIp, DateTimeOffset OccurredAt);

/// <summary>What one call got: 2xx or not, the HTTP status, the error for the dashboard, how long it took.</summary>
public sealed record WebhookCallResult(bool Delivered, int? HttpStatus, string? Error, int DurationMs);

/// <summary>
/// Calls customers' endpoints: a client of its own (no automatic retries, no service discovery: the dispatcher
/// decides when to try again), no redirects, a timeout per call, and every connection checked on the address the name
/// resolved to, so neither a URL nor a later DNS answer can make us call into the hosting network.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient client;
    private readonly TimeProvider time;

    public WebhookSender(IOptions<WebhookOptions> options, TimeProvider time)
    {
        this.time = time;
        var allowInternal = options.Value.AllowInternalEndpoints;
        client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, allowInternal, ct),
        })
        { Timeout = options.Value.Timeout };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ProMTA-Webhooks", "1.0"));
    }

    public async Task<WebhookCallResult> SendAsync(string url, string secret, WebhookPayload payload, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload, Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSecret.SignatureHeader, WebhookSecret.Sign(secret, time.GetUtcNow(), body));
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var ok = response.IsSuccessStatusCode;
            return new(ok, (int)response.StatusCode, ok ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", Elapsed(started));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new(false, null, ex is TaskCanceledException ? "timed out" : Describe(ex), Elapsed(started));
        }
    }

    public static WebhookEventView View(WebhookEvent e) =>
        new(e.Id, e.Event, e.MessageId?.ToString("N"), e.Recipient, e.Provider, e.Reply, e.SourceIp, e.OccurredAt);

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowInternal, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        var allowed = addresses.Where(a => allowInternal || !InternalAddresses.Contains(a)).ToArray();
        if (allowed.Length == 0) throw new HttpRequestException($"{endpoint.Host} resolves only to internal addresses");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string Describe(Exception ex) => ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message;

    private static int Elapsed(long started) => (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    public void Dispose() => client.Dispose();
}
