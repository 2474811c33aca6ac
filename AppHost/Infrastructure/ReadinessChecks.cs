using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace ProMTA.AppHost.Infrastructure;

/// <summary>What "ready" means for each native server: it answers its own protocol, not merely a TCP connect.</summary>
public static class ReadinessChecks
{
    public static async Task<HealthCheckResult> PostgresAsync(IResourceWithConnectionString server, CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection(await server.ConnectionStringExpression.GetValueAsync(ct));
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(ct);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }

    /// <summary>RabbitMQ answers the AMQP 0-9-1 protocol header with a Connection.Start method frame (type 1).</summary>
    public static async Task<HealthCheckResult> AmqpAsync(EndpointReference endpoint, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint.Host, endpoint.Port, ct);
            var stream = client.GetStream();
            await stream.WriteAsync("AMQP\0\0\x09\x01"u8.ToArray(), ct);
            var frame = new byte[8];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await stream.ReadExactlyAsync(frame, timeout.Token);
            return frame[0] == 1 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("not an AMQP 0-9-1 answer");
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }

    public static async Task<HealthCheckResult> PowerDnsApiAsync(EndpointReference api, string apiKey, CancellationToken ct)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{api.Url}/api/v1/servers/localhost");
            request.Headers.Add("X-API-Key", apiKey);
            using var response = await http.SendAsync(request, ct);
            return response.IsSuccessStatusCode ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"HTTP {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
