using ProMTA.Delivery;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDelivery();

var app = builder.Build();

app.UseServiceDefaults();
app.UseCallerAuthorization();
app.MapDefaultEndpoints();
app.MapDeliveryApis();

app.Run();
