using ProMTA.Dns;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDns();

var app = builder.Build();

app.UseServiceDefaults();
app.MapDefaultEndpoints();

app.Run();
