using ProMTA.Gateway;
using ProMTA.Gateway.OpenApi;
using ProMTA.Gateway.Portal;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();

app.UseServiceDefaults();
app.UseRequestCorrelation();
app.UseRequestSizeLimit();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapPublicApiDocs();
app.MapPortal();
app.MapReverseProxy();

app.Run();
