using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Hosting;
using ProMTA.ServiceDefaults.Http;
using ProMTA.ServiceDefaults.Http.Input;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.ServiceDefaults.Tests;

public sealed record Contact([property: EmailSyntax] string? Email, [MaxLength(20)] string? Name, string? Notes, Address? Address, IReadOnlyList<string>? Tags);
public sealed record Address(string? Street, [Range(1, 99)] int? Floor);

/// <summary>
/// The shared input validation every service maps its routes under, over a real Kestrel: whatever a route takes
/// (a body, paging, a query string), bad text, unbounded numbers and malformed JSON are 400 problems that name the
/// field, and the handler never runs.
/// </summary>
public sealed class InputValidationTests : IAsyncLifetime
{
    private WebApplication app = null!;
    private HttpClient client = null!;
    private int handled;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        // Development, as the AppHost runs the services: the environment where details would leak if anywhere.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.AddServiceDefaults();
        app = builder.Build();
        app.UseServiceDefaults();
        var endpoints = app.MapPlatformEndpoints();
        endpoints.MapPost("/contacts", (Contact contact) => { Interlocked.Increment(ref handled); return TypedResults.Ok(contact); });
        endpoints.MapGet("/contacts", ([AsParameters] PageRequest paging, string? search) => { Interlocked.Increment(ref handled); return TypedResults.Ok(paging.Paging); });
        endpoints.MapGet("/contacts/{name}", (string name, [FromHeader(Name = "Idempotency-Key")] string? key) => { Interlocked.Increment(ref handled); return TypedResults.Ok(name); });
        endpoints.MapGet("/broken", IResult () => throw new InvalidOperationException("connection string Password=hunter2 at Npgsql.Internal"));
        endpoints.MapGet("/peer-down", IResult () => throw new Polly.CircuitBreaker.BrokenCircuitException("The circuit is now open"));
        // A real connection attempt to a port nobody listens on: Npgsql's own exception, as when PostgreSQL restarts.
        var closedPort = FreePort.Next();
        endpoints.MapGet("/database-down", async () =>
        {
            await using var connection = new Npgsql.NpgsqlConnection($"Host=127.0.0.1;Port={closedPort};Username=x;Password=hunter2;Timeout=2");
            await connection.OpenAsync();
            return TypedResults.Ok();
        });
        await app.StartAsync();
        client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    [Theory]
    [InlineData("""{"name":"Ada\u0000Lovelace"}""", "name")]
    [InlineData("""{"notes":"bell \u0007"}""", "notes")]
    [InlineData("""{"name":"Ada Lovelace, Countess of Lovelace"}""", "name")]
    [InlineData("""{"email":"a@b"}""", "email")]
    [InlineData("""{"email":"Ada <ada@example.com>"}""", "email")]
    [InlineData("""{"email":"ada@[127.0.0.1]"}""", "email")]
    [InlineData("""{"address":{"street":"\u0000","floor":1}}""", "address.street")]
    [InlineData("""{"address":{"floor":100}}""", "address.floor")]
    [InlineData("""{"tags":["ok","nul\u0000"]}""", "tags[1]")]
    public async Task A_body_field_with_bad_text_or_out_of_bounds_is_a_400_naming_it(string body, string field)
    {
        using var response = await client.PostAsync("/contacts", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertRefusedAsync(response, field);
    }

    [Fact]
    public async Task A_string_without_a_declared_bound_is_bounded_by_the_default()
    {
        using var response = await client.PostAsJsonAsync("/contacts", new { notes = new string('x', PlainText.DefaultMaxLength + 1) });

        await AssertRefusedAsync(response, "notes");
    }

    [Fact]
    public async Task Free_text_with_line_breaks_tabs_and_emoji_is_accepted()
    {
        using var response = await client.PostAsJsonAsync("/contacts",
            new { email = "zoë@exämple.com", name = "Zoë 🚀", notes = "line one\r\n\tline two ﷽", tags = new[] { "a" } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, handled);
    }

    [Theory]
    [InlineData("?page=2147483647", "page")]
    [InlineData("?page=0", "page")]
    [InlineData("?pageSize=201", "pageSize")]
    [InlineData("?pageSize=-1", "pageSize")]
    [InlineData("?search=%00", "search")]
    public async Task Paging_and_query_strings_are_bounded(string query, string field)
    {
        using var response = await client.GetAsync("/contacts" + query);

        await AssertRefusedAsync(response, field);
    }

    [Fact]
    public async Task A_route_value_or_header_with_a_control_character_is_refused()
    {
        using var route = await client.GetAsync("/contacts/a%01b");
        await AssertRefusedAsync(route, "name");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/contacts/ada");
        request.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', PlainText.DefaultMaxLength + 1));
        using var header = await client.SendAsync(request);
        await AssertRefusedAsync(header, "Idempotency-Key");
    }

    [Theory]
    [InlineData("{\"name\":", null)]
    [InlineData("{\"address\":{\"floor\":\"high\"}}", "address.floor")]
    [InlineData("{\"address\":{\"floor\":99999999999999999999}}", "address.floor")]
    [InlineData("[1,2]", null)]
    [InlineData("\"\\ud800\"", null)]
    public async Task Malformed_json_and_wrong_types_are_400_problems(string body, string? field)
    {
        using var response = await client.PostAsync("/contacts", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
        }
        Assert.Equal(0, handled);
    }

    [Fact]
    public async Task A_platform_service_that_does_not_answer_is_a_503_with_retry_after_not_a_500()
    {
        using var response = await client.GetAsync("/peer-down");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.Equal("Temporarily unavailable", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_database_that_does_not_answer_is_a_503_with_retry_after_that_tells_nothing_of_the_internals()
    {
        using var response = await client.GetAsync("/database-down");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("Temporarily unavailable", JsonDocument.Parse(body).RootElement.GetProperty("title").GetString());
        Assert.DoesNotContain("hunter2", body);
        Assert.DoesNotContain("Npgsql", body);
        Assert.DoesNotContain("127.0.0.1", body);
    }

    [Fact]
    public async Task An_unexpected_exception_is_a_500_problem_that_tells_nothing_of_the_internals()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/broken");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("hunter2", body);
        Assert.DoesNotContain("InvalidOperationException", body);
        Assert.DoesNotContain("Npgsql", body);
    }

    [Theory]
    [InlineData("ada@example.com", true)]
    [InlineData("ada.lovelace+tag@mail.example.co.uk", true)]
    [InlineData("a@b", false)]
    [InlineData("a@b.c", false)]
    [InlineData("a@1.2.3.4", false)]
    [InlineData("a@-example.com", false)]
    [InlineData("a@@example.com", false)]
    [InlineData(" ada@example.com", false)]
    [InlineData("ada@example.com\n", false)]
    public void Email_syntax_is_a_single_deliverable_mailbox(string address, bool valid) =>
        Assert.Equal(valid, EmailAddressSyntax.IsValid(address));

    private async Task AssertRefusedAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.ToString());
        Assert.Equal(0, handled);
    }
}
