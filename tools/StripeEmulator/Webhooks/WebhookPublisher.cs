using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StripeEmulator.Http;

namespace StripeEmulator.Webhooks;

/// <summary>
/// Builds Stripe event objects and queues them for <see cref="WebhookDeliveryService"/>.
/// Publishing only enqueues, so an API call never waits for (or fails because of) a webhook.
/// </summary>
public sealed class WebhookPublisher(IOptions<WebhookOptions> options, TimeProvider clock)
{
    private readonly Channel<WebhookEvent> _queue = Channel.CreateUnbounded<WebhookEvent>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<WebhookEvent> Pending => _queue.Reader;

    public void Publish(string type, JsonObject dataObject, StripeRequestContext? request)
    {
        if (!options.Value.IsEnabled)
        {
            return;
        }

        var id = StripeIds.New("evt");
        var json = new JsonObject
        {
            ["id"] = id,
            ["object"] = "event",
            ["api_version"] = StripeApiVersion.Current,
            ["created"] = clock.GetUtcNow().ToUnixTimeSeconds(),
            ["data"] = new JsonObject { ["object"] = dataObject },
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject
            {
                ["id"] = request?.RequestId,
                ["idempotency_key"] = request?.IdempotencyKey,
            },
            ["type"] = type,
        };
        _queue.Writer.TryWrite(new WebhookEvent(id, type, StripeResults.Serialize(json)));
    }
}
