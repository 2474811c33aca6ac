using ProMTA.Billing;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddBilling();

var app = builder.Build();

app.UseServiceDefaults();
app.UseCallerAuthorization();
app.MapDefaultEndpoints();
app.MapBillingApis();

app.Run();
