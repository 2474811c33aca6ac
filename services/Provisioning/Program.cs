using ProMTA.Provisioning;
using ProMTA.Provisioning.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddProvisioning();

var app = builder.Build();

app.UseServiceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapProvisioningAdminApi();
app.MapIpPoolApi();

app.Run();
