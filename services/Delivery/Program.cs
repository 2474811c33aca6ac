using ProMTA.Delivery;
using ProMTA.Delivery.Apis;
using ProMTA.Delivery.History;
using ProMTA.Delivery.QueueControl;
using ProMTA.Delivery.Reputation;
using ProMTA.ServiceDefaults.Http.Input;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDelivery();

var app = builder.Build();

app.UseServiceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
var endpoints = app.MapPlatformEndpoints();
endpoints.MapRelayApi();
endpoints.MapDeliveryHistoryApi();
endpoints.MapSenderDomainsAdminApi();
endpoints.MapInboundApi();
endpoints.MapMessagesApi();
endpoints.MapWebhooksApi();
endpoints.MapSuppressionFilesApi();
endpoints.MapQueueApi();
endpoints.MapReputationApi();
endpoints.MapSmtpCredentialsApi();
endpoints.MapServiceAuditApi();

app.Run();
