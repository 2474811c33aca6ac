using ProMTA.FakeIsp;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddOptions<FakeIspOptions>().BindConfiguration("FakeIsp");
builder.Services.AddHttpClient();
builder.Services.AddSingleton<FakeIspHost>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<FakeIspHost>());

var app = builder.Build();

app.MapGet("/health", () => "ok");
app.MapGet("/counters", (FakeIspHost isps) => isps.Servers.Select(s => s.Counters()));
app.MapGet("/reports", (FakeIspHost isps) => new { Sent = isps.Reports?.Sent ?? 0, Failed = isps.Reports?.Failed ?? 0 });
app.MapGet("/senders", (FakeIspHost isps) => isps.Servers.Select(s => new { s.Provider.Name, Senders = s.Senders() }));
app.MapGet("/blocks", (FakeIspHost isps) => isps.Servers.Select(s => new { s.Provider.Name, Blocks = s.ComplaintBlocks() }));
app.MapGet("/timeline", (FakeIspHost isps) => isps.Servers.Select(s => new { s.Provider.Name, Seconds = s.Timeline.Seconds() }));

app.Run();
