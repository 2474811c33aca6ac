using System.Text;
using Microsoft.Extensions.Options;

namespace StripeEmulator.Webhooks;

/// <summary>
/// Sends queued events to the configured endpoint, each independently (Stripe does not promise
/// ordering either, so receivers must not rely on it), retrying failures with doubling delays.
/// Every attempt is signed afresh with the current time, as Stripe does.
/// </summary>
public sealed class WebhookDeliveryService(
    WebhookPublisher publisher,
    IHttpClientFactory httpClients,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<WebhookDeliveryService> logger) : BackgroundService
{
    public const string HttpClientName = "stripe-webhooks";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.IsEnabled)
        {
            if (!string.IsNullOrWhiteSpace(settings.Url) || !string.IsNullOrWhiteSpace(settings.Secret))
            {
                logger.LogWarning("Webhooks need both Webhooks:Url and Webhooks:Secret; no events will be sent");
            }

            return;
        }

        logger.LogInformation("Sending Stripe webhook events to {Url}", settings.Url);
        await foreach (var webhookEvent in publisher.Pending.ReadAllAsync(stoppingToken))
        {
            _ = DeliverAsync(webhookEvent, settings, stoppingToken);
        }
    }

    private async Task DeliverAsync(WebhookEvent webhookEvent, WebhookOptions settings, CancellationToken stoppingToken)
    {
        var delay = settings.RetryDelay;
        for (var attempt = 1; attempt <= settings.MaxAttempts; attempt++)
        {
            try
            {
                if (await TrySendAsync(webhookEvent, settings, stoppingToken))
                {
                    logger.LogDebug("Delivered {Type} {EventId} on attempt {Attempt}", webhookEvent.Type, webhookEvent.Id, attempt);
                    return;
                }

                if (attempt < settings.MaxAttempts)
                {
                    await Task.Delay(delay, clock, stoppingToken);
                    delay *= 2;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // Shutting down: undelivered events are dropped, as the emulator keeps no disk state.
            }
            catch (Exception exception)
            {
                // Nothing awaits this task, so an escaping exception would vanish; log it instead.
                logger.LogError(exception, "Webhook {Type} {EventId} failed unexpectedly", webhookEvent.Type, webhookEvent.Id);
                return;
            }
        }

        logger.LogWarning("Gave up delivering {Type} {EventId} after {Attempts} attempts", webhookEvent.Type, webhookEvent.Id, settings.MaxAttempts);
    }

    private async Task<bool> TrySendAsync(WebhookEvent webhookEvent, WebhookOptions settings, CancellationToken stoppingToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url)
            {
                Content = new StringContent(webhookEvent.Payload, Encoding.UTF8, "application/json"),
            };
            var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.TryAddWithoutValidation(WebhookSignature.HeaderName, WebhookSignature.Header(webhookEvent.Payload, settings.Secret!, timestamp));
            request.Headers.TryAddWithoutValidation("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)");

            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, stoppingToken);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            logger.LogWarning("Webhook {Type} {EventId} was answered {Status}", webhookEvent.Type, webhookEvent.Id, (int)response.StatusCode);
            return false;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning("Webhook {Type} {EventId} could not be sent: {Error}", webhookEvent.Type, webhookEvent.Id, exception.Message);
            return false;
        }
    }
}
