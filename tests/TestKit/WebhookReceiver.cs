using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ProMTA.TestKit;

/// <summary>One event as a webhook endpoint received it (<paramref name="MessageId"/> is null for mail refused at RCPT).</summary>
public sealed record ReceivedWebhookEvent(long Id, string Type, string Recipient, bool Replay, string? MessageId = null, string? Reply = null);

/// <summary>One call to the endpoint: its signature header and body.</summary>
public sealed record WebhookCall(string Signature, byte[] Body)
{
    /// <summary>As a receiver checks it: HMAC-SHA256 over "t.body" with the secret, compared in constant time.</summary>
    public bool Verifies(string secret)
    {
        var parts = Signature.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1)) return false;
        byte[] signed = [.. Encoding.UTF8.GetBytes(t + "."), .. Body];
        return CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed), Convert.FromHexString(v1));
    }
}

/// <summary>
/// A customer's webhook endpoint on a real socket (HttpListener on 127.0.0.1): answers <see cref="Answer"/> and keeps
/// what it was sent while it answers 200.
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener listener = new();
    private readonly ConcurrentQueue<WebhookCall> calls = new();
    private readonly ConcurrentQueue<ReceivedWebhookEvent> events = new();

    public WebhookReceiver()
    {
        Url = $"http://127.0.0.1:{FreePort.Next()}/hook/";
        listener.Prefixes.Add(Url);
        listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public string Url { get; }

    /// <summary>What the endpoint answers; anything but 200 keeps nothing (the sender must try again).</summary>
    public HttpStatusCode Answer { get; set; } = HttpStatusCode.OK;

    public IReadOnlyList<WebhookCall> Calls => [.. calls];

    public IReadOnlyList<ReceivedWebhookEvent> Events(Func<ReceivedWebhookEvent, bool> where) => [.. events.Where(where)];

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (!listener.IsListening)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var answer = Answer;
            if (answer == HttpStatusCode.OK)
            {
                var bytes = body.ToArray();
                calls.Enqueue(new WebhookCall(context.Request.Headers["ProMTA-Signature"] ?? "", bytes));
                using var json = JsonDocument.Parse(bytes);
                var replay = json.RootElement.GetProperty("replay").GetBoolean();
                foreach (var e in json.RootElement.GetProperty("events").EnumerateArray())
                {
                    events.Enqueue(new(e.GetProperty("id").GetInt64(), e.GetProperty("type").GetString()!, e.GetProperty("recipient").GetString()!, replay,
                        Text(e, "messageId"), Text(e, "reply")));
                }
            }
            context.Response.StatusCode = (int)answer;
            context.Response.Close();
        }
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var value) ? value.GetString() : null;

    public void Dispose() => listener.Close();
}
