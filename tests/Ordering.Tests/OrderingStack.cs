using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.TestKit;

namespace ProMTA.Ordering.Tests;

/// <summary>
/// Ordering's HTTP API on a real Kestrel port over a fresh schema of the test PostgreSQL (no broker: these tests use
/// no events). Callers are authenticated the way the gateway does it, with the signed caller header.
/// </summary>
public sealed class OrderingStack : IAsyncDisposable
{
    private const string InternalSecret = "ordering-stack-tests-internal-secret-0123456789";
    private readonly WebApplication ordering;
    private readonly CallerToken callers = new(InternalSecret);

    private OrderingStack(WebApplication ordering, Uri address)
    {
        this.ordering = ordering;
        Address = address;
    }

    public Uri Address { get; }

    public Database Database => ordering.Services.GetRequiredService<Database>();

    public static async Task<OrderingStack> StartAsync(PostgresFixture postgres, IReadOnlyDictionary<string, string?> settings)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{ServiceDatabaseExtensions.ConnectionName}"] = postgres.ConnectionString,
            [CallerAuthenticationExtensions.SecretKey] = InternalSecret,
            ["Auth:TokenSigningKey"] = "ordering-stack-tests-token-signing-key-0123456789",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddServiceDatabase($"t_{Guid.NewGuid():N}"[..20], typeof(Extensions).Assembly);
        builder.AddGatewayCallerAuthentication();
        builder.AddOrderingServices();
        var app = builder.Build();
        app.UseCallerAuthorization();
        app.MapOrderingApis();
        await app.StartAsync();
        await app.Services.GetRequiredService<MigrationState>().Completed;
        return new OrderingStack(app, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>A client as an anonymous visitor.</summary>
    public HttpClient Anonymous() => new() { BaseAddress = Address };

    /// <summary>A client calling Ordering as <paramref name="callerId"/>, as the gateway would after checking the credentials.</summary>
    public HttpClient ClientFor(Guid callerId, string role = Roles.Customer)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Add(CallerToken.HeaderName, callers.Create(new Caller(callerId, role), DateTimeOffset.UtcNow.AddMinutes(30)));
        return client;
    }

    /// <summary>A client calling Ordering as <paramref name="caller"/> (a team member as the gateway passes them on).</summary>
    public HttpClient ClientAs(Caller caller)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Add(CallerToken.HeaderName, callers.Create(caller, DateTimeOffset.UtcNow.AddMinutes(30)));
        return client;
    }

    /// <summary>Who a bearer credential stands for, asked the way the gateway asks; null when Ordering refuses it (401).</summary>
    public async Task<Caller?> IntrospectAsync(string credential)
    {
        using var visitor = Anonymous();
        using var response = await visitor.PostAsJsonAsync("/internal/auth/introspect", new { token = credential });
        if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized) return null;
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<Caller>();
    }

    public async Task<T> ScalarAsync<T>(string sql, object? param = null)
    {
        await using var connection = await Database.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, param))!;
    }

    public async Task<JsonElement> PostJsonAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        await ordering.StopAsync();
        await ordering.DisposeAsync();
    }
}
