using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Npgsql;
using ProMTA.TestKit;

namespace ProMTA.Deploy.Tests;

/// <summary>
/// PowerDNS as deploy/ runs it, against a real PostgreSQL: the database and owner CloudNativePG's bootstrap makes,
/// the schema and grants it runs from the powerdns-schema ConfigMap, and pdns_server started with the pdns.conf and
/// the gpgsql template from the powerdns-config ConfigMap, rendered the way the image's startup script does.
/// </summary>
public sealed partial class PowerDnsOnPostgresTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [GeneratedRegex(@"\{\{\s*([A-Z_]+)\s*\}\}")]
    private static partial Regex TemplateVariable();

    [Fact]
    public async Task PowerDns_serves_from_postgresql_with_the_shipped_schema_and_configuration()
    {
        var rendered = RenderedOverlay.Get("production");
        var schema = rendered.Single("ConfigMap", "powerdns-schema");
        var config = rendered.OfKind("ConfigMap").Single(c => Manifests.String(c, "metadata", "name")!.StartsWith("powerdns-config", StringComparison.Ordinal));
        var ownerPassword = Guid.NewGuid().ToString("N");

        // What CloudNativePG's initdb bootstrap does: the database with its owner, then postInitApplicationSQLRefs as
        // the superuser, in order.
        await Sql.ExecuteAsync(postgres.ConnectionString, $"CREATE ROLE powerdns LOGIN PASSWORD '{ownerPassword}'", "CREATE DATABASE powerdns OWNER powerdns");
        var superuserOnPowerDns = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = "powerdns" }.ConnectionString;
        await Sql.ExecuteAsync(superuserOnPowerDns, Manifests.String(schema, "data", "schema.pgsql.sql")!, Manifests.String(schema, "data", "grants.sql")!);

        var data = Repository.NewDataDirectory("pdnspg");
        var includes = Directory.CreateDirectory(Path.Combine(data, "pdns.d")).FullName;
        File.WriteAllText(Path.Combine(data, "pdns.conf"),
            Manifests.String(config, "data", "pdns.conf")!.Replace("include-dir=/etc/powerdns/pdns.d", $"include-dir={includes}"));
        var pod = new Dictionary<string, string>
        {
            ["PDNS_GPGSQL_HOST"] = "127.0.0.1",
            ["PDNS_GPGSQL_DBNAME"] = "powerdns",
            ["PDNS_GPGSQL_USER"] = "powerdns",
            ["PDNS_GPGSQL_PASSWORD"] = ownerPassword,
        };
        File.WriteAllText(Path.Combine(includes, "gpgsql.conf"),
            TemplateVariable().Replace(Manifests.String(config, "data", "gpgsql.j2")!, m => pod[m.Groups[1].Value]));
        var apiKey = Guid.NewGuid().ToString("N");
        File.WriteAllText(Path.Combine(includes, "_api.conf"), $"webserver\napi\napi-key={apiKey}\nwebserver-address=127.0.0.1\nwebserver-allow-from=127.0.0.0/8\n");
        // Only what differs on a test machine: loopback and free ports instead of a pod's 53/8081/5432, no daemon.
        var dnsPort = FreePort.Next();
        var apiPort = FreePort.Next();
        var postgresPort = new NpgsqlConnectionStringBuilder(postgres.ConnectionString).Port;
        File.WriteAllText(Path.Combine(includes, "zz-test.conf"),
            $"local-address=127.0.0.1\nlocal-port={dnsPort}\nwebserver-port={apiPort}\ngpgsql-port={postgresPort}\n" +
            $"daemon=no\nguardian=no\ndisable-syslog=yes\nsocket-dir={data}\nsecurity-poll-suffix=\n");

        await using var server = NativeServer.StartCommand("pdns_server", [$"--config-dir={data}"], data);
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}/api/v1/servers/localhost/") };
        api.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        await server.WaitUntilReadyAsync(async () => (await api.GetAsync("zones")).IsSuccessStatusCode, TimeSpan.FromSeconds(60));

        var created = await api.PostAsJsonAsync("zones", new
        {
            name = "deploy.test.",
            kind = "Native",
            nameservers = new[] { "ns1.deploy.test." },
            rrsets = new[] { new { name = "mta1.deploy.test.", type = "A", ttl = 60, changetype = "REPLACE", records = new[] { new { content = "192.0.2.7", disabled = false } } } },
        });
        Assert.True(created.IsSuccessStatusCode, $"{created.StatusCode}: {await created.Content.ReadAsStringAsync()}\n{server.Output}");

        Assert.Equal("192.0.2.7", Dig(dnsPort, "mta1.deploy.test", "A"));
        // Stored in PostgreSQL, readable by the owner PowerDNS connects as.
        var ownerOnPowerDns = new NpgsqlConnectionStringBuilder(superuserOnPowerDns) { Username = "powerdns", Password = ownerPassword }.ConnectionString;
        await using var connection = new NpgsqlConnection(ownerOnPowerDns);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT content FROM records WHERE name = 'mta1.deploy.test' AND type = 'A'", connection);
        Assert.Equal("192.0.2.7", await query.ExecuteScalarAsync());
    }

    private static string Dig(int port, string name, string type)
    {
        using var dig = Process.Start(new ProcessStartInfo("dig", ["@127.0.0.1", "-p", port.ToString(), name, type, "+short", "+time=2", "+tries=3"])
        {
            RedirectStandardOutput = true,
        })!;
        var answer = dig.StandardOutput.ReadToEnd().Trim();
        dig.WaitForExit();
        return answer;
    }
}
