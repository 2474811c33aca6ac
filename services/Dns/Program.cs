using ProMTA.Dns;
using ProMTA.Dns.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDns();

var app = builder.Build();

app.UseServiceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapDnsApi();
app.MapDnsAdminApi();

app.Run();
