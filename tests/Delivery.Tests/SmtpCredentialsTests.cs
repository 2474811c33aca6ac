using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using MailKit.Net.Smtp;
using MailKit.Security;
using Npgsql;
using ProMTA.FakeIsp;
using ProMTA.ServiceDefaults.Security;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Several SMTP credentials per service (issue 20), against Delivery.dll as it runs: a named credential is shown once,
/// authenticates and sends for its service, records when and from where it was used, and once revoked is refused while
/// the primary one keeps working; names are checked; nobody else sees or touches them.
/// </summary>
public sealed class SmtpCredentialsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_named_credential_sends_for_its_service_shows_its_last_use_and_stops_when_revoked()
    {
        var mxPort = FreePort.Next();
        await using var mx = new FakeMx(new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test" }, mxPort);
        mx.Start();
        var relayPort = FreePort.Next();
        await using var delivery = await DeliveryProcess.StartAsync(postgres.ConnectionString, relayPort, new Dictionary<string, string>
        {
            ["Relay:AllowPlainAuth"] = "true",
            ["Delivery:Routes:gmail.test"] = $"127.0.0.1:{mxPort}",
            ["Delivery:PollInterval"] = "00:00:00.200",
        });
        var (customer, service) = (Guid.NewGuid(), Guid.NewGuid());
        var primary = $"svc-{service:N}";
        await TestServices.AddAsync(postgres.ConnectionString, customer, service, primary);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{delivery.HttpPort}") };
        var path = $"/api/services/{service}/smtp-credentials";

        using var created = await DeliveryApi.SendAsync(http, HttpMethod.Post, path, customer, new { name = "Billing app" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var credential = await created.Content.ReadFromJsonAsync<JsonElement>();
        var (id, username, password) = (credential.GetProperty("id").GetGuid(), credential.GetProperty("username").GetString()!, credential.GetProperty("password").GetString()!);
        Assert.StartsWith(primary + "-", username);

        // Sent by a client nobody here wrote: Python's smtplib.
        var sent = await ExternalClient.PythonAsync(SmtplibScript, relayPort.ToString(), username, password, "ann@gmail.test");
        Assert.True(sent.Output.Contains("SENT"), sent.ToString());
        await RelayHost.EventuallyAsync(() => Task.FromResult(mx.Received.Count == 1));
        var listed = (await DeliveryApi.JsonAsync(http, HttpMethod.Get, path, customer)).EnumerateArray().ToList();
        Assert.Equal(["primary", "Billing app"], listed.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("127.0.0.1", listed[1].GetProperty("lastUsedIp").GetString());
        Assert.Equal(JsonValueKind.Null, listed[0].GetProperty("lastUsedAt").ValueKind);
        Assert.DoesNotContain(listed, c => c.TryGetProperty("password", out _) || c.TryGetProperty("passwordHash", out _));

        // Names: one live credential per name, "primary" is taken, and only plain characters.
        using (var again = await DeliveryApi.SendAsync(http, HttpMethod.Post, path, customer, new { name = "billing APP" }))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        foreach (var bad in new[] { "", "   ", "primary", "a\u0000b", "<script>", new string('x', 65) })
        {
            using var refused = await DeliveryApi.SendAsync(http, HttpMethod.Post, path, customer, new { name = bad });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("name", await DeliveryApi.ErrorFieldsAsync(refused));
        }

        // Others: not found, and nothing revoked.
        var stranger = Guid.NewGuid();
        foreach (var (method, url) in new[] { (HttpMethod.Get, path), (HttpMethod.Post, path), (HttpMethod.Delete, $"{path}/{id}") })
        {
            using var response = await DeliveryApi.SendAsync(http, method, url, stranger, method == HttpMethod.Post ? new { name = "mine" } : null);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        // Revoked: refused at once; the primary credential is untouched.
        using (var revoked = await DeliveryApi.SendAsync(http, HttpMethod.Delete, $"{path}/{id}", customer))
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        var refusedAuth = await ExternalClient.PythonAsync(SmtplibScript, relayPort.ToString(), username, password, "bob@gmail.test");
        Assert.True(refusedAuth.Output.Contains("AUTH 535 5.7.8"), refusedAuth.ToString());
        await TestServices.SubmitAsync(relayPort, primary, RelayHost.Password, "cat@gmail.test");
        await RelayHost.EventuallyAsync(() => Task.FromResult(mx.Received.Count == 2));
        Assert.NotEqual(JsonValueKind.Null, (await DeliveryApi.JsonAsync(http, HttpMethod.Get, path, customer))[1].GetProperty("revokedAt").ValueKind);
        using (var unknown = await DeliveryApi.SendAsync(http, HttpMethod.Delete, $"{path}/{Guid.NewGuid()}", customer))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        // Every change is in the service's audit log, newest first, by whom; the passwords never are.
        await DeliveryApi.JsonAsync(http, HttpMethod.Post, $"/api/services/{service}/smtp-password", customer);
        var audit = (await DeliveryApi.JsonAsync(http, HttpMethod.Get, $"/api/services/{service}/audit", customer)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["smtp-password rotated", "smtp-credential revoked", "smtp-credential created"],
            audit.Select(e => $"{e.GetProperty("area").GetString()} {e.GetProperty("action").GetString()}"));
        Assert.All(audit, e => Assert.Equal("customer", e.GetProperty("by").GetString()));
        Assert.Contains("Billing app", audit[1].GetProperty("detail").GetString());
        Assert.DoesNotContain(audit, e => e.GetProperty("detail").GetString()!.Contains(password, StringComparison.Ordinal));
        using (var strangerAudit = await DeliveryApi.SendAsync(http, HttpMethod.Get, $"/api/services/{service}/audit", Guid.NewGuid()))
            Assert.Equal(HttpStatusCode.NotFound, strangerAudit.StatusCode);
    }

    [Fact]
    public async Task A_credential_made_for_the_transactional_stream_sends_transactional_mail_and_a_wrong_stream_is_a_400()
    {
        var mxPort = FreePort.Next();
        await using var mx = new FakeMx(new FakeProviderOptions { Name = "Gmail", Domain = "gmail.test" }, mxPort);
        mx.Start();
        var relayPort = FreePort.Next();
        await using var delivery = await DeliveryProcess.StartAsync(postgres.ConnectionString, relayPort, new Dictionary<string, string>
        {
            ["Relay:AllowPlainAuth"] = "true",
            ["Delivery:Routes:gmail.test"] = $"127.0.0.1:{mxPort}",
            ["Delivery:PollInterval"] = "00:00:00.200",
        });
        var (customer, service) = (Guid.NewGuid(), Guid.NewGuid());
        var primary = $"svc-{service:N}";
        await TestServices.AddAsync(postgres.ConnectionString, customer, service, primary);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{delivery.HttpPort}") };
        var path = $"/api/services/{service}/smtp-credentials";

        // Anything but the two streams is refused, naming the field; a number where a string belongs is a 400 too, never a 500.
        foreach (var bad in new object[] { new { name = "Receipts", stream = "priority" }, new { name = "Receipts", stream = "" } })
        {
            using var refused = await DeliveryApi.SendAsync(http, HttpMethod.Post, path, customer, bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal(["stream"], await DeliveryApi.ErrorFieldsAsync(refused));
        }
        using (var wrongType = await DeliveryApi.SendAsync(http, HttpMethod.Post, path, customer, new StringContent(
            """{"name":"Receipts","stream":5}""", System.Text.Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);

        var created = await DeliveryApi.JsonAsync(http, HttpMethod.Post, path, customer, new { name = "Receipts", stream = "Transactional" });
        Assert.Equal("transactional", created.GetProperty("stream").GetString());
        var bulk = await DeliveryApi.JsonAsync(http, HttpMethod.Post, path, customer, new { name = "Newsletter" });
        Assert.Equal("bulk", bulk.GetProperty("stream").GetString());
        var listed = (await DeliveryApi.JsonAsync(http, HttpMethod.Get, path, customer)).EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("stream").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["primary"] = "bulk", ["Newsletter"] = "bulk", ["Receipts"] = "transactional" }, listed);

        // Mail sent with it is queued in its stream; mail sent with the primary username stays bulk.
        var sent = await ExternalClient.PythonAsync(SmtplibScript, relayPort.ToString(), created.GetProperty("username").GetString()!,
            created.GetProperty("password").GetString()!, "receipt@gmail.test");
        Assert.True(sent.Output.Contains("SENT"), sent.ToString());
        await TestServices.SubmitAsync(relayPort, primary, RelayHost.Password, "digest@gmail.test");
        await RelayHost.EventuallyAsync(() => Task.FromResult(mx.Received.Count == 2));
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        var streams = (await connection.QueryAsync<(string Address, string Stream)>(
            "SELECT address, stream FROM delivery.recipients WHERE service_id = @service", new { service })).ToDictionary(r => r.Address, r => r.Stream);
        Assert.Equal(new Dictionary<string, string> { ["receipt@gmail.test"] = "transactional", ["digest@gmail.test"] = "bulk" }, streams);
    }

    /// <summary>argv: port, username, password, recipient. Prints SENT, or AUTH with the refusal's code and text.</summary>
    private const string SmtplibScript = """
        import smtplib, sys
        port, user, password, to = sys.argv[1:5]
        client = smtplib.SMTP("127.0.0.1", int(port), timeout=30)
        client.ehlo("client.customer.test")
        try:
            client.login(user, password)
        except smtplib.SMTPAuthenticationError as e:
            print("AUTH", e.smtp_code, e.smtp_error.decode())
            sys.exit(3)
        client.sendmail("sender@customer.test", [to], "From: sender@customer.test\r\nTo: " + to
            + "\r\nSubject: named credential\r\nMessage-ID: <named@customer.test>\r\nDate: Sat, 05 Dec 2026 10:00:00 +0000\r\n\r\nhello\r\n")
        client.quit()
        print("SENT")
        """;
}
