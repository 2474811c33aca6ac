using ProMTA.Billing;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddBilling();

var app = builder.Build();

app.UseServiceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapBillingApis();

app.Run();
