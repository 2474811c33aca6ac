using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using ProMTA.TestKit;
using System.Net;
using System.Net.Http.Json;
using Xunit;

namespace ProMTA.EndToEnd;

/// <summary>
/// The whole stack started once through the AppHost, as `dotnet run --project AppHost` starts it, with its own
/// data folder and ports so it never meets a developer's running instance.
/// </summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    private DistributedApplication? app;
    private string dataDirectory = "";

    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>Every service exports its traces and metrics here (OTLP/HTTP), as it would to a collector.</summary>
    public Telemetry.OtlpReceiver Telemetry { get; } = new();

    public int DnsPort { get; } = FreePort.Next();

    /// <summary>The relay's port in this run (not 2525, so a developer's running stack is not disturbed).</summary>
    public int SmtpPort { get; } = FreePort.Next();
    /// <summary>Delivery's inbound MX on a fixed address (it also answers on the MX port of every dedicated IP).</summary>
    public int InboundPort { get; } = FreePort.Next();

    /// <summary>Ordering's smarthost in this run (postfix's smtp-sink): every password-reset and verification link lands here.</summary>
    public SmtpSink AccountMail { get; private set; } = null!;

    /// <summary>The staff operator the AppHost bootstraps, with the password it generated for this run's data.</summary>
    public (string Email, string Password) Operator =>
        ("operator@promta.local", File.ReadAllText(Path.Combine(dataDirectory, "secrets", "staff-password")).Trim());

    private string? staffToken;

    /// <summary>
    /// One staff login for the whole run: the login route is rate limited per IP, and the rate-limit test spends
    /// most of that budget.
    /// </summary>
    public async Task<string> StaffTokenAsync()
    {
        return staffToken ??= await LoginAsync(Operator.Email, Operator.Password);
    }

    /// <summary>An account manager created by the operator, logged in once.</summary>
    public (Guid Id, string Token) AccountManager { get; private set; }

    /// <summary>
    /// A client straight to one service (not through the gateway), for what the gateway hides: each service's own
    /// OpenAPI document, and the per-IP rate-limited public routes a test must not spend the run's budget on.
    /// </summary>
    public HttpClient ServiceClient(string service) => app!.CreateHttpClient(service);

    /// <summary>
    /// A client to the gateway from a loopback address of its own (127.0.0.<paramref name="host"/>, 2-254): the gateway's
    /// per-IP limits see another client, so a test that spends an address's budget on purpose (or a stream of many
    /// requests) neither waits for nor leaves a 429 to the tests that use <see cref="Gateway"/> from 127.0.0.1.
    /// </summary>
    public HttpClient GatewayFrom(byte host)
    {
        if (host is < 2 or > 254) throw new ArgumentOutOfRangeException(nameof(host), "127.0.0.1 is the shared client's address");
        var local = new IPEndPoint(new IPAddress([127, 0, 0, host]), 0);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(local);
                    // The gateway listens on localhost: its IPv4 address, which any 127.0.0.0/8 address reaches.
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), ct);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = Gateway.BaseAddress, Timeout = Gateway.Timeout };
    }

    /// <summary>A resource's connection string in this run (e.g. "rabbitmq", to put a message on a queue directly).</summary>
    public async Task<string> ConnectionStringAsync(string resource) =>
        await app!.GetConnectionStringAsync(resource) ?? throw new InvalidOperationException($"{resource} has no connection string");

    public async Task<HttpResponseMessage> SendAsStaffAsync(HttpMethod method, string path, object? body = null, string? token = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token ?? await StaffTokenAsync());
        return await Gateway.SendAsync(request);
    }

    /// <summary>A staff GET that must answer 200 (as the operator, or as <paramref name="token"/>'s staff user); its JSON body.</summary>
    public async Task<System.Text.Json.JsonElement> GetStaffJsonAsync(string path, string? token = null)
    {
        using var response = await SendAsStaffAsync(HttpMethod.Get, path, token: token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
    }

    /// <summary>A customer's id, as the operator's customer list shows it.</summary>
    public async Task<Guid> CustomerIdAsync(string email) =>
        (await GetStaffJsonAsync("/api/admin/customers?pageSize=200")).GetProperty("items").EnumerateArray()
            .Single(c => c.GetProperty("email").GetString() == email).GetProperty("id").GetGuid();

    /// <summary>The operator assigns <paramref name="customer"/> to the run's account manager; the customer's id.</summary>
    public async Task<Guid> AssignToAccountManagerAsync(Customer customer)
    {
        var id = await CustomerIdAsync(customer.Email);
        using var assigned = await SendAsStaffAsync(HttpMethod.Put, $"/api/admin/customers/{id}/account-manager", new { accountManagerId = AccountManager.Id });
        Assert.Equal(HttpStatusCode.NoContent, assigned.StatusCode);
        return id;
    }

    private Task<(Guid, string)> CreateAccountManagerAsync() => CreateStaffAsync("account-manager");

    /// <summary>
    /// A staff account of its own for a test that may end its sessions (logout-everywhere, a password change) without
    /// logging out the run's shared operator; logged in at Ordering directly, so it spends no per-IP login budget.
    /// </summary>
    public async Task<(Guid Id, string Token)> CreateStaffAsync(string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}@promta.local";
        using var created = await SendAsStaffAsync(HttpMethod.Post, "/api/admin/staff",
            new { email, name = "Staff " + role, password = "correct horse battery", role });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetGuid();
        using var ordering = ServiceClient("ordering");
        using var login = await ordering.PostAsJsonAsync("/api/auth/token", new { email, password = "correct horse battery" });
        login.EnsureSuccessStatusCode();
        return (id, (await login.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("accessToken").GetString()!);
    }

    private async Task<string> LoginAsync(string email, string password)
    {
        using var login = await Gateway.PostAsJsonAsync("/api/auth/token", new { email, password });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    public async Task InitializeAsync()
    {
        dataDirectory = Repository.NewDataDirectory("e2e");
        AccountMail = await SmtpSink.StartAsync(FreePort.Next());
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
        [
            $"--Infrastructure:DataDir={dataDirectory}",
            $"--Ports:Dns={DnsPort}",
            $"--Ports:Gateway={FreePort.Next()}",
            $"--Ports:Smtp={SmtpPort}",
            $"--Ports:InboundSmtp={InboundPort}",
            // The fake ISPs' MX port (also Delivery's MX port and the inbound MX's port on every dedicated IP): not 25, so
            // another stack running on this machine keeps its fake ISPs and this run gets its own.
            $"--Ports:FakeMx={FreePort.Next()}",
            // Reports back from the fake ISPs only where a test asks for them (asyncbounce-*, complain-* recipients).
            "--FakeIsp:AsyncBounceRate=0",
            "--FakeIsp:ComplaintRate=0",
            "--Infrastructure:Mode=native",
            // The whole suite signs its customers up from one address, faster than 60 a minute now that the browser
            // tests sign up too (a burst of 429s at signup failed 16 tests in CI). No test asserts the signup limit.
            "--RateLimits:SignupPerMinute=1000",
            // Likewise the public password-reset routes, which HostileInputTests also send junk to.
            "--RateLimits:AccountLinksPerMinute=1000",
            "--Accounts:Email:SmartHost=127.0.0.1",
            $"--Accounts:Email:Port={AccountMail.Port}",
        ]);
        await Telemetry.StartAsync();
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            builder.CreateResourceBuilder(project).WithEnvironment(env =>
            {
                env.EnvironmentVariables["OTEL_EXPORTER_OTLP_ENDPOINT"] = Telemetry.Endpoint.ToString();
                env.EnvironmentVariables["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                // Short export intervals: the tests wait for what the services report.
                env.EnvironmentVariables["OTEL_BSP_SCHEDULE_DELAY"] = "200";
                env.EnvironmentVariables["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
            });
        }
        app = await builder.BuildAsync();
        // Generous: a cold first start initialises PostgreSQL and RabbitMQ, and CI machines may be busy.
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await app.StartAsync(startup.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", startup.Token);
        Gateway = app.CreateHttpClient("gateway");
        await StaffTokenAsync(); // before any test spends the per-IP login budget
        AccountManager = await CreateAccountManagerAsync();
    }

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        await Telemetry.DisposeAsync();
        if (AccountMail is not null) await AccountMail.DisposeAsync();
        Repository.DeleteDataDirectory(dataDirectory);
    }
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}
