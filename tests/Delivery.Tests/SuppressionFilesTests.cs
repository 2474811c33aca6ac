using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// The suppression list as CSV (issue 16), against Delivery.dll as it runs: an import is all or nothing, keeps the
/// reason of an address already there, and says which lines are wrong; the export quotes what needs quoting; nobody
/// else's list can be read or written.
/// </summary>
public sealed class SuppressionFilesTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_customer_imports_and_exports_their_suppression_list_as_csv()
    {
        await using var delivery = await DeliveryProcess.StartAsync(postgres.ConnectionString, FreePort.Next(), new Dictionary<string, string>());
        var (customer, service) = (Guid.NewGuid(), Guid.NewGuid());
        await using (var connection = new NpgsqlConnection(postgres.ConnectionString))
        {
            await connection.ExecuteAsync("""
                INSERT INTO delivery.service_owners (service_id, customer_id, order_id) VALUES (@Service, @Customer, @Service);
                INSERT INTO delivery.suppressions (service_id, address, reason, detail, created_at)
                VALUES (@Service, 'zoe@example.test', 'HardBounce', '550 5.1.1 "zoe", no such user', '2026-12-01T10:00:00Z');
                """, new { Service = service, Customer = customer });
        }
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{delivery.HttpPort}") };
        var path = $"/api/services/{service}/suppressions";

        // Header, a reason in any case, a row without one (Manual), a duplicate, a blank line, an address already there.
        var file = "Address,Reason\r\nAnn@Example.test,complaint\r\nbob@example.test,\r\nann@example.test,HardBounce\r\n\r\nzoe@example.test,Manual\r\n";
        var imported = await ImportAsync(http, path, customer, file);
        Assert.Equal((3, 2, 1), (imported.GetProperty("rows").GetInt32(), imported.GetProperty("added").GetInt32(), imported.GetProperty("alreadySuppressed").GetInt32()));
        var again = await ImportAsync(http, path, customer, file);
        Assert.Equal(0, again.GetProperty("added").GetInt32());

        // A file with one bad line changes nothing and names the line.
        foreach (var (bad, says) in new[]
        {
            ("address\nok@example.test\nnot an address\n", "line 3"),
            ("address,reason\nok@example.test,Spam\n", "reason must be one of"),
            ("email\nok@example.test\n", "\"address\" column"),
            ("", "\"address\" column"),
        })
        {
            using var refused = await DeliveryApi.SendAsync(http, Csv(path, bad), customer);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains(says, problem.GetProperty("errors").GetProperty("csv")[0].GetString());
        }

        // The export: every row with its reason, the detail quoted as RFC 4180 says.
        using var export = await DeliveryApi.SendAsync(http, HttpMethod.Get, $"{path}/export", customer);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        var lines = (await export.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("address,reason,detail,created_at", lines[0]);
        Assert.Equal("zoe@example.test,HardBounce,\"550 5.1.1 \"\"zoe\"\", no such user\",2026-12-01T10:00:00Z", lines[1]);
        Assert.Equal(["ann@example.test,Complaint", "bob@example.test,Manual"], lines[2..].Select(l => string.Join(',', l.Split(',')[..2])).Order());

        // Another customer: not found, and nothing written.
        var stranger = Guid.NewGuid();
        using (var read = await DeliveryApi.SendAsync(http, HttpMethod.Get, $"{path}/export", stranger))
            Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        using (var write = await DeliveryApi.SendAsync(http, Csv(path, "address\nthief@example.test\n"), stranger))
            Assert.Equal(HttpStatusCode.NotFound, write.StatusCode);
        await using var check = new NpgsqlConnection(postgres.ConnectionString);
        Assert.Equal(3, await check.ExecuteScalarAsync<long>("SELECT count(*) FROM delivery.suppressions WHERE service_id = @service", new { service }));
    }

    private static HttpRequestMessage Csv(string path, string body) =>
        new(HttpMethod.Post, $"{path}/import") { Content = new StringContent(body, Encoding.UTF8, "text/csv") };

    private static async Task<JsonElement> ImportAsync(HttpClient http, string path, Guid customer, string body)
    {
        using var response = await DeliveryApi.SendAsync(http, Csv(path, body), customer);
        Assert.True(response.IsSuccessStatusCode, $"import: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
