namespace StripeEmulator.Webhooks;

/// <summary>An event ready to send: its JSON is fixed at publish time, a snapshot like Stripe's.</summary>
public sealed record WebhookEvent(string Id, string Type, string Payload);
