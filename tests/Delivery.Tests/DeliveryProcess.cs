using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using ProMTA.TestKit;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// The Delivery service as its own OS process (the built Delivery.dll next to the tests), so a test can kill it the
/// hard way (SIGKILL: no shutdown, no flush) and start it again on the same database.
/// </summary>
public sealed class DeliveryProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private DeliveryProcess(Process process, int relayPort, int httpPort)
    {
        this.process = process;
        RelayPort = relayPort;
        HttpPort = httpPort;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The secret the gateway would sign caller headers with (<see cref="ProMTA.ServiceDefaults.Auth.CallerToken"/>).</summary>
    public const string InternalSecret = "internal-secret-for-delivery-process-tests-0123456789";

    public int RelayPort { get; }

    /// <summary>The OS process id (a replica's lane leases name it: <see cref="Outbound.Lanes.LaneOwnership.ReplicaId"/>).</summary>
    public int ProcessId => process.Id;

    /// <summary>Where its HTTP API listens (on 127.0.0.1).</summary>
    public int HttpPort { get; }

    public string Output { get { lock (output) return output.ToString(); } }

    /// <summary>Starts Delivery.dll with <paramref name="settings"/> as command-line configuration; returns once the relay listens.</summary>
    public static async Task<DeliveryProcess> StartAsync(string connectionString, int relayPort, IReadOnlyDictionary<string, string> settings)
    {
        var httpPort = FreePort.Next();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Delivery.dll"), "--urls", $"http://127.0.0.1:{httpPort}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__promta"] = connectionString;
        // No broker: the relay and the outbound worker do not need one (MassTransit keeps retrying in the background).
        start.Environment["ConnectionStrings__rabbitmq"] = $"amqp://guest:guest@127.0.0.1:{FreePort.Next()}/";
        start.Environment["Logging__LogLevel__MassTransit"] = "None";
        start.Environment["Auth__InternalSecret"] = InternalSecret;
        start.Environment["Dkim__EncryptionKey"] = RelayHost.DkimEncryptionKey;
        start.Environment["Relay__Port"] = relayPort.ToString();
        foreach (var (key, value) in settings) start.ArgumentList.Add($"--{key}={value}");
        var delivery = new DeliveryProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start Delivery.dll"), relayPort, httpPort);
        // Ready means every port a test will dial accepts: the relay, the HTTP API and the inbound MX when a test turns it on.
        int[] ports = settings.TryGetValue("Inbound:Port", out var inbound) && int.Parse(inbound) > 0
            ? [relayPort, httpPort, int.Parse(inbound)]
            : [relayPort, httpPort];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        foreach (var port in ports)
        {
            while (!await ListensAsync(port))
            {
                if (delivery.process.HasExited) throw new InvalidOperationException($"Delivery exited with {delivery.process.ExitCode}:\n{delivery.Output}");
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"port {port} did not listen:\n{delivery.Output}");
                await Task.Delay(200);
            }
        }
        return delivery;
    }

    /// <summary>SIGKILL: the process gets no chance to finish anything it was doing.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.TerminateAsync(process);
        process.Dispose();
    }

    private static async Task<bool> ListensAsync(int port)
    {
        try
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output)
        {
            if (output.Length > 200_000) output.Remove(0, 100_000);
            output.AppendLine(line);
        }
    }
}
