using ProMTA.Delivery;
using ProMTA.Delivery.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDelivery();

var app = builder.Build();

app.UseServiceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapRelayApi();
app.MapInboundApi();

app.Run();
