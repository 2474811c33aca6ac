using Microsoft.Extensions.Options;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Hosting;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Delivery.Webhooks;

/// <summary>
/// Hands each endpoint the events after its cursor, in order, in batches: a 2xx moves the cursor; a failure keeps it
/// (the batch and everything after it wait, so events about one recipient never overtake each other) and is tried
/// again with backoff until Webhooks:RetryWindow, then the batch is parked and the cursor moves on. Endpoints are
/// claimed with a lease, so several replicas share the work and a crashed one's endpoints come back by themselves.
/// Events the endpoint did not subscribe to move the cursor without a call.
/// </summary>
public sealed partial class WebhookDispatcher(
    Database db, WebhookSender sender, DkimKeyProtector protector, IOptions<WebhookOptions> options, TimeProvider time, MigrationState migrations,
    ILogger<WebhookDispatcher> log) : PeriodicJob(migrations, time, log)
{
    private const int ClaimLimit = 20;
    private readonly TimeProvider clock = time;
    private readonly ILogger logger = log;

    private WebhookOptions Options => options.Value;

    protected override TimeSpan Interval => Options.PollInterval;

    public override async Task RunOnceAsync(CancellationToken ct)
    {
        // Until no endpoint is due: a backlog drains at the endpoints' pace, not one batch per tick.
        while (!ct.IsCancellationRequested)
        {
            var claimed = await WebhookEndpoints.ClaimAsync(db, clock.GetUtcNow(), Options.Lease, ClaimLimit, ct);
            if (claimed.Count == 0) return;
            await Task.WhenAll(claimed.Select(w => RoundAsync(w, ct)));
        }
    }

    private async Task RoundAsync(ClaimedWebhook webhook, CancellationToken ct)
    {
        string secret;
        try
        {
            secret = WebhookSecret.Unprotect(protector, webhook.SecretProtected, webhook.Id);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            LogUnreadableSecret(ex, webhook.Id);
            await WebhookEndpoints.RecordAsync(db, new(webhook.Id, false, null, webhook.Attempts, webhook.FailingSince, "the signing secret cannot be read; rotate it",
                clock.GetUtcNow() + Options.RetryMax), null, ct);
            return;
        }
        var next = await LiveStepAsync(webhook, secret, ct);
        if (webhook.ReplayEnd is { } end) await ReplayStepAsync(webhook, secret, webhook.ReplayCursor ?? 0, end, next, ct);
    }

    /// <returns>When the endpoint is due again.</returns>
    private async Task<DateTimeOffset> LiveStepAsync(ClaimedWebhook webhook, string secret, CancellationToken ct)
    {
        var events = await WebhookEndpoints.EventsAsync(db, webhook.ServiceId, webhook.Cursor, null, Options.BatchSize, ct);
        var now = clock.GetUtcNow();
        var more = events.Count == Options.BatchSize;
        var due = more ? now : now + Options.PollInterval;
        if (events.Count == 0)
        {
            await WebhookEndpoints.RecordAsync(db, new(webhook.Id, false, null, webhook.Attempts, webhook.FailingSince, null, due), null, ct);
            return due;
        }
        var wanted = events.Where(e => webhook.EventTypes.Contains(e.Event)).ToList();
        var last = events[^1].Id;
        if (wanted.Count == 0)
        {
            await WebhookEndpoints.RecordAsync(db, new(webhook.Id, false, last, 0, null, null, due), null, ct);
            return due;
        }
        var result = await sender.SendAsync(webhook.Url, secret, new(webhook.Id, webhook.ServiceId, false, [.. wanted.Select(WebhookSender.View)]), ct);
        now = clock.GetUtcNow();
        var delivery = Delivery(wanted, result, "delivered", replay: false, now);
        if (result.Delivered)
        {
            await WebhookEndpoints.RecordAsync(db, new(webhook.Id, false, last, 0, null, null, more ? now : now + Options.PollInterval), delivery, ct);
            return due;
        }
        var failingSince = webhook.FailingSince ?? now;
        if (now - failingSince >= Options.RetryWindow)
        {
            // Given up on this batch: it stays visible (and replayable), and the endpoint gets the events after it.
            LogParked(webhook.Id, wanted.Count, Options.RetryWindow, result.Error);
            await WebhookEndpoints.RecordAsync(db, new(webhook.Id, false, last, 0, null, result.Error, now), delivery with { Status = "parked" }, ct);
            return now;
        }
        var attempts = webhook.Attempts + 1;
        var retry = now + Options.Retry.After(attempts, Random.Shared.NextDouble());
        await WebhookEndpoints.RecordAsync(db, new(webhook.Id, false, null, attempts, failingSince, result.Error, retry), delivery with { Status = "failed" }, ct);
        return retry;
    }

    private async Task ReplayStepAsync(ClaimedWebhook webhook, string secret, long cursor, long end, DateTimeOffset liveDue, CancellationToken ct)
    {
        var events = await WebhookEndpoints.EventsAsync(db, webhook.ServiceId, cursor, end, Options.BatchSize, ct);
        var now = clock.GetUtcNow();
        if (events.Count == 0)
        {
            await WebhookEndpoints.RecordAsync(db, new(webhook.Id, true, end, 0, null, null, liveDue), null, ct);
            return;
        }
        var wanted = events.Where(e => webhook.EventTypes.Contains(e.Event)).ToList();
        var last = events[^1].Id;
        if (wanted.Count == 0)
        {
            await WebhookEndpoints.RecordAsync(db, new(webhook.Id, true, last, 0, null, null, now), null, ct);
            return;
        }
        var result = await sender.SendAsync(webhook.Url, secret, new(webhook.Id, webhook.ServiceId, true, [.. wanted.Select(WebhookSender.View)]), ct);
        now = clock.GetUtcNow();
        // A failed replay batch waits for the endpoint's next round (the live cursor's backoff paces both).
        await WebhookEndpoints.RecordAsync(db, new(webhook.Id, true, result.Delivered ? last : null, 0, null, null, result.Delivered ? now : liveDue),
            Delivery(wanted, result, result.Delivered ? "delivered" : "failed", replay: true, now), ct);
    }

    private static WebhookDelivery Delivery(IReadOnlyList<WebhookEvent> sent, WebhookCallResult result, string status, bool replay, DateTimeOffset at) => new()
    {
        Status = status, FirstEventId = sent[0].Id, LastEventId = sent[^1].Id, Events = sent.Count, Replay = replay,
        HttpStatus = result.HttpStatus, Error = result.Error, DurationMs = result.DurationMs, AttemptedAt = at,
    };

    [LoggerMessage(LogLevel.Warning, "Webhook {WebhookId}: {Events} events parked after failing for {Window}: {Error}")]
    private partial void LogParked(Guid webhookId, int events, TimeSpan window, string? error);

    [LoggerMessage(LogLevel.Error, "Webhook {WebhookId}: the signing secret cannot be decrypted")]
    private partial void LogUnreadableSecret(Exception ex, Guid webhookId);
}
