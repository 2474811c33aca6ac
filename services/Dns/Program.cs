using ProMTA.Dns;
using ProMTA.Dns.Apis;
using ProMTA.ServiceDefaults.Http.Input;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDns();

var app = builder.Build();

app.UseServiceDefaults();
app.UseCallerAuthorization();
app.MapDefaultEndpoints();
var endpoints = app.MapPlatformEndpoints();
endpoints.MapDnsApi();
endpoints.MapDnsAdminApi();

app.Run();
