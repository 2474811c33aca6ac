using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using StripeEmulator;

namespace StripeEmulator.Tests;

/// <summary>
/// A tiny HTTP endpoint standing in for Billing's webhook receiver: it records each raw body
/// and Stripe-Signature header so tests can verify them with Stripe.net.
/// </summary>
/// <param name="failuresBeforeSuccess">Answer 500 to this many deliveries first, to exercise retries.</param>
public sealed class WebhookListener(int failuresBeforeSuccess = 0) : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private WebApplication? _app;
    private int _attempts;

    /// <summary>Every delivery attempt, including those answered with 500.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public Uri Url { get; private set; } = null!;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        _app = builder.Build();
        _app.Urls.Add("http://127.0.0.1:0");
        _app.MapPost("/webhook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            if (Interlocked.Increment(ref _attempts) <= failuresBeforeSuccess)
            {
                return Results.StatusCode(StatusCodes.Status500InternalServerError);
            }

            _received.Enqueue(new ReceivedWebhook(body, request.Headers["Stripe-Signature"].ToString()));
            return Results.Ok();
        });
        await _app.StartAsync();
        Url = new Uri(_app.GetBaseAddress(), "/webhook");
    }

    /// <summary>Waits for the first delivery that matches (deliveries are asynchronous).</summary>
    public async Task<ReceivedWebhook> WaitForAsync(Func<ReceivedWebhook, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            if (_received.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No matching webhook arrived; received {_received.Count} in total.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

public sealed record ReceivedWebhook(string Body, string Signature);
