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
app.UseProxyErrorProblems();
app.UseAuthentication();
// Before authorization: a request refused for lack of credentials still spends its client IP's budget.
app.UseRateLimiter();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapPublicApiDocs();
app.MapPortal();
app.MapReverseProxy();

app.Run();
