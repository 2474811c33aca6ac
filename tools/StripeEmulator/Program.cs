using StripeEmulator;

// A local stand-in for api.stripe.com that Billing talks to through the real Stripe.net
// client (apiBase pointed here). State lives in memory and is lost on restart.
// Kestrel listens where ASPNETCORE_URLS / --urls say (Aspire sets them); webhooks are sent
// when Webhooks:Url and Webhooks:Secret are configured. Wiring is in Extensions.cs.
var app = StripeEmulatorApp.Build(args);
await app.RunAsync();
