using ProMTA.Delivery;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDelivery();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
