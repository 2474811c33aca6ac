using ProMTA.Delivery.Domain;

namespace ProMTA.Delivery.Webhooks;

/// <summary>What an endpoint can subscribe to: the delivery events, by the names they have in the event log.</summary>
public static class WebhookEventTypes
{
    public static readonly IReadOnlyList<string> All =
        [DeliveryEvent.Accepted, DeliveryEvent.Delivered, DeliveryEvent.Deferred, DeliveryEvent.Bounced, DeliveryEvent.Expired, DeliveryEvent.Complained,
         DeliveryEvent.Suppressed, DeliveryEvent.Paced, DeliveryEvent.Purged];
}
