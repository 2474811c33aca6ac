using ProMTA.Ordering;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOrdering();

var app = builder.Build();

app.UseServiceDefaults();
app.UseCallerAuthorization();
app.MapDefaultEndpoints();
app.MapOrderingApis();

app.Run();
