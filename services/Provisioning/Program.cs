using ProMTA.Provisioning;
using ProMTA.Provisioning.Apis;
using ProMTA.ServiceDefaults.Http.Input;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddProvisioning();

var app = builder.Build();

app.UseServiceDefaults();
app.UseCallerAuthorization();
app.MapDefaultEndpoints();
var endpoints = app.MapPlatformEndpoints();
endpoints.MapProvisioningAdminApi();
endpoints.MapIpPoolApi();

app.Run();
