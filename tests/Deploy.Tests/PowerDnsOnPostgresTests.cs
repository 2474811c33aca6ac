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
        // PowerDNS reaches its database through PgBouncer pooled as the Pooler says (eng/native/pgbouncer.sh pools
        // sessions, the mode the overlay test holds the Pooler to), with the Pooler's pool size.
        var pooler = rendered.Single("Pooler", "powerdns-db-pooler");
        var poolSize = int.Parse(Manifests.String(pooler, "spec", "pgbouncer", "parameters", "default_pool_size")!);
        var bouncerPort = FreePort.Next();
        var bouncerData = Repository.NewDataDirectory("pgbouncer");
        await using var bouncer = NativeServer.Start("pgbouncer.sh", bouncerData, new Dictionary<string, string>
        {
            ["PGB_DATA_DIR"] = bouncerData,
            ["PGB_PORT"] = bouncerPort.ToString(),
            ["PGB_POOL_SIZE"] = poolSize.ToString(),
            ["PG_HOST"] = "127.0.0.1",
            ["PG_PORT"] = new NpgsqlConnectionStringBuilder(postgres.ConnectionString).Port.ToString(),
            ["PG_DATABASE"] = "powerdns",
            ["PG_USER"] = "powerdns",
            ["PG_PASSWORD"] = ownerPassword,
        });
        await bouncer.WaitUntilReadyAsync(async () =>
        {
            using var probe = new System.Net.Sockets.TcpClient();
            await probe.ConnectAsync("127.0.0.1", bouncerPort);
            return true;
        }, TimeSpan.FromSeconds(30));
        File.WriteAllText(Path.Combine(includes, "zz-test.conf"),
            $"local-address=127.0.0.1\nlocal-port={dnsPort}\nwebserver-port={apiPort}\ngpgsql-port={bouncerPort}\n" +
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

        // Each API request is a PowerDNS session of its own; through the pooler they share the server sessions, which
        // PgBouncer resets (DISCARD ALL) between clients, so PowerDNS's per-session prepared statements keep working.
        var requests = 3 * poolSize;
        for (var i = 0; i < requests; i++)
        {
            var patched = await api.PatchAsJsonAsync("zones/deploy.test.", new
            {
                rrsets = new[] { new { name = $"mta{i}.deploy.test.", type = "A", ttl = 60, changetype = "REPLACE", records = new[] { new { content = $"192.0.2.{i + 10}", disabled = false } } } },
            });
            Assert.True(patched.IsSuccessStatusCode, $"PATCH {i}: {patched.StatusCode}: {await patched.Content.ReadAsStringAsync()}\n{server.Output}\n{bouncer.Output}");
        }
        Assert.Equal($"192.0.2.{requests + 9}", Dig(dnsPort, $"mta{requests - 1}.deploy.test", "A"));
        await using var sessions = new NpgsqlCommand("SELECT sessions FROM pg_stat_database WHERE datname = 'powerdns'", connection);
        var started = Convert.ToInt64(await sessions.ExecuteScalarAsync());
        Assert.True(started <= poolSize + 3, $"{started} PostgreSQL sessions for {requests + 2} PowerDNS API requests: not pooled");
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
