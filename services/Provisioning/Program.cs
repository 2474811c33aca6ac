using ProMTA.Provisioning;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddProvisioning();

var app = builder.Build();

app.UseServiceDefaults();
app.MapDefaultEndpoints();

app.Run();
