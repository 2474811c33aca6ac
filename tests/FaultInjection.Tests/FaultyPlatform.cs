using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;
using ProMTA.TestKit;

namespace ProMTA.FaultInjection;

/// <summary>
/// The whole stack started through the AppHost (own data folder, free ports, native servers) with the consumers'
/// transient-fault switch on, plus the means to hurt it: SIGKILL a service, restart a server, replay outbox rows.
/// </summary>
public sealed class FaultyPlatform : IAsyncDisposable
{
    public const int TransientFailurePercent = 10;

    /// <summary>
    /// How long one step of a stop/start may take before the run fails naming the resource and its state. CI runs this
    /// beside the EndToEnd suite's own stack on two cores: once (2026-12-05, seed 161795274) Ordering was not healthy
    /// 3 min after its restart; the same seed alone came back in 8-12 s. A service that never comes back still fails.
    /// </summary>
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);

    private readonly DistributedApplication app;
    private readonly RunLog log;
    private readonly CancellationTokenSource journalStop = new();
    private readonly Task journal;

    private FaultyPlatform(DistributedApplication app, string dataDirectory, RunLog log)
    {
        this.app = app;
        this.log = log;
        DataDirectory = dataDirectory;
        journal = JournalStatesAsync(journalStop.Token);
    }

    public string DataDirectory { get; }

    public string FaultJournal => Path.Combine(DataDirectory, "injected-faults.tsv");

    public static async Task<FaultyPlatform> StartAsync()
    {
        var data = Repository.NewDataDirectory("faults");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
        [
            $"--Infrastructure:DataDir={data}",
            $"--Ports:Dns={FreePort.Next()}",
            $"--Ports:Gateway={FreePort.Next()}",
            $"--Ports:Smtp={FreePort.Next()}",
            $"--Ports:FakeMx={FreePort.Next()}",
            $"--Ports:InboundSmtp={FreePort.Next()}",
            "--Infrastructure:Mode=native",
            $"--Faults:TransientConsumerFailurePercent={TransientFailurePercent}",
            $"--Faults:Journal={Path.Combine(data, "injected-faults.tsv")}",
        ]);
        var log = new RunLog();
        builder.Services.AddLogging(logging => logging.AddProvider(log));
        // As `aspire run` with its dashboard does: a resource started while a dependency it waits for is down (killed,
        // restarting) waits for it to come back. The testing default (no dashboard) fails the start instead, so the
        // gateway's start failed whenever one of the five services was between its SIGKILL and its restart.
        builder.Services.Configure<ResourceNotificationServiceOptions>(o => o.DefaultWaitBehavior = WaitBehavior.WaitOnResourceUnavailable);
        var platform = new FaultyPlatform(await builder.BuildAsync(), data, log);
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await platform.app.StartAsync(startup.Token);
        await platform.app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", startup.Token);
        return platform;
    }

    public HttpClient CreateGatewayClient() =>
        new() { BaseAddress = app.GetEndpoint("gateway", "http"), Timeout = TimeSpan.FromSeconds(30) };

    public Uri StripeEmulator => app.GetEndpoint("stripe-emulator", "http");

    public async Task<string> DatabaseConnectionStringAsync() =>
        await app.GetConnectionStringAsync("postgres") ?? throw new InvalidOperationException("no connection string for postgres");

    /// <summary>SIGKILLs the service's process (and the `dotnet run` that hosts it), then starts it again and waits until healthy.</summary>
    public Task KillAndRestartAsync(string resource, CancellationToken ct) =>
        StopAndStartAsync(resource, pid => ProcessTree.DeepestFirst(pid).ToList().ForEach(p => Signal(p, "KILL")), ct);

    /// <summary>
    /// Restarts a server (PostgreSQL, RabbitMQ) as an operator would: SIGTERM to its script (eng/native/*.sh stops the
    /// server cleanly), then Aspire starts it again. Not Aspire's own restart command: DCP gives up after 15 s
    /// waiting for the script's children to release its output.
    /// </summary>
    public Task RestartAsync(string resource, CancellationToken ct) => StopAndStartAsync(resource, pid => Signal(pid, "TERM"), ct);

    private async Task StopAndStartAsync(string resource, Action<int> stop, CancellationToken ct)
    {
        var pid = CurrentPid(resource);
        stop(pid);
        await WaitForAsync(resource, e => !IsRunning(e.Snapshot, pid), $"stop (pid {pid})", ct);
        await ExecuteAsync(resource, KnownResourceCommands.StartCommand, ct);
        var back = await WaitForAsync(resource, e => IsBackHealthy(e.Snapshot, pid) || HasEndedAgain(e.Snapshot, pid), $"run again healthy (old pid {pid})", ct);
        if (!IsBackHealthy(back.Snapshot, pid))
        {
            throw new InvalidOperationException($"{resource} ended again after its start; {Describe(resource)}; its output is in {RunLog.FilePath}");
        }
    }

    private static bool IsBackHealthy(CustomResourceSnapshot snapshot, int oldPid) =>
        Pid(snapshot) is { } pid && pid != oldPid && IsRunning(snapshot, pid) && snapshot.HealthStatus == HealthStatus.Healthy;

    /// <summary>The new process (not the stopped one, whose snapshot is still replayed) exited or never started.</summary>
    private static bool HasEndedAgain(CustomResourceSnapshot snapshot, int oldPid) =>
        Pid(snapshot) != oldPid && snapshot.State?.Text is { } state && KnownResourceStates.TerminalStates.Contains(state);

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Bounded: a resource that never gets there fails the run at once, naming its state and its dependencies'.</summary>
    private async Task<ResourceEvent> WaitForAsync(string resource, Func<ResourceEvent, bool> reached, string what, CancellationToken ct)
    {
        using var step = CancellationTokenSource.CreateLinkedTokenSource(ct);
        step.CancelAfter(StepTimeout);
        try
        {
            return await app.ResourceNotifications.WaitForResourceAsync(resource, reached, step.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw await StuckAsync(resource, what);
        }
    }

    /// <summary>The start command waits for the resource's WaitFor dependencies (healthy) before it starts the process: bounded too.</summary>
    private async Task ExecuteAsync(string resource, string command, CancellationToken ct)
    {
        using var step = CancellationTokenSource.CreateLinkedTokenSource(ct);
        step.CancelAfter(StepTimeout);
        var result = await app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, command, step.Token);
        if (result.Success) return;
        if (result.Canceled && !ct.IsCancellationRequested) throw await StuckAsync(resource, $"complete its {command} command");
        throw new InvalidOperationException($"{command} on {resource} failed: {result.Message}; {Describe(resource)}");
    }

    private async Task<TimeoutException> StuckAsync(string resource, string what)
    {
        log.Write("stuck " + resource, await DatabaseActivityAsync());
        return new($"{resource} did not {what} within {StepTimeout.TotalMinutes:0} min; {Describe(resource)}; the database's sessions at that moment are in {RunLog.FilePath}");
    }

    /// <summary>
    /// Every session of the database that is not idle, by service (application_name is the schema), with what it
    /// waits on: a service whose /health never answered while it went on consuming once left nothing else to go on.
    /// </summary>
    private async Task<string> DatabaseActivityAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(await DatabaseConnectionStringAsync());
            await connection.OpenAsync();
            var sessions = await connection.QueryAsync<(string App, string State, string? WaitType, string? Wait, double Seconds, string Query)>("""
                SELECT coalesce(application_name, ''), coalesce(state, ''), wait_event_type, wait_event,
                       extract(epoch FROM now() - coalesce(xact_start, query_start))::float8, left(query, 200)
                FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                ORDER BY 1, 5 DESC
                """);
            return string.Join("\n", sessions.Select(s => $"{s.App} {s.State} wait {s.WaitType}/{s.Wait} for {s.Seconds:0.0} s: {s.Query}"));
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return "no database sessions read: " + ex.Message;
        }
    }

    /// <summary>The resource's last state and that of every resource it waits for, e.g. "billing: Waiting, health -, pid -; postgres: Exited ...".</summary>
    private string Describe(string resource)
    {
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var waitsFor = model.Resources.Single(r => r.Name == resource).Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name);
        return string.Join("; ", waitsFor.Prepend(resource).Distinct().Select(name =>
            app.ResourceNotifications.TryGetCurrentState(name, out var e)
                ? $"{name}: {e.Snapshot.State?.Text ?? "no state"}, health {e.Snapshot.HealthStatus?.ToString() ?? "-"}, pid {Pid(e.Snapshot)?.ToString(CultureInfo.InvariantCulture) ?? "-"}, exit code {e.Snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}"
                : $"{name}: no state"));
    }

    /// <summary>Every change of a resource's state, health or process in the run log, next to the resources' own output.</summary>
    private async Task JournalStatesAsync(CancellationToken ct)
    {
        var last = new Dictionary<string, string>();
        try
        {
            await foreach (var e in app.ResourceNotifications.WatchAsync(ct))
            {
                var line = $"{e.Snapshot.State?.Text ?? "no state"}, health {e.Snapshot.HealthStatus?.ToString() ?? "-"}, pid {Pid(e.Snapshot)?.ToString(CultureInfo.InvariantCulture) ?? "-"}";
                if (last.GetValueOrDefault(e.Resource.Name) == line) continue;
                last[e.Resource.Name] = line;
                log.Write("state " + e.Resource.Name, line);
            }
        }
        catch (OperationCanceledException)
        {
            // the run is over
        }
    }

    private int CurrentPid(string resource) =>
        app.ResourceNotifications.TryGetCurrentState(resource, out var e) && Pid(e.Snapshot) is { } pid
            ? pid
            : throw new InvalidOperationException($"{resource} has no process id");

    private static bool IsRunning(CustomResourceSnapshot snapshot, int pid) =>
        snapshot.State?.Text == KnownResourceStates.Running && Pid(snapshot) == pid;

    private static int? Pid(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value switch
        {
            int pid => pid,
            long pid => (int)pid,
            string text when int.TryParse(text, CultureInfo.InvariantCulture, out var pid) => pid,
            _ => null,
        };

    /// <summary>Every RabbitMQ queue with its ready messages, read with rabbitmqctl from the node this run started.</summary>
    public async Task<IReadOnlyDictionary<string, long>> QueueDepthsAsync(CancellationToken ct)
    {
        var epmdPort = app.GetEndpoint("rabbitmq", "epmd").Port.ToString(CultureInfo.InvariantCulture);
        var node = (await RunAsync("epmd", ["-port", epmdPort, "-names"], new(), ct))
            .Split('\n').Select(l => l.Split(' ')).Where(f => f is ["name", _, "at", ..]).Select(f => f[1]).Single();
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = Path.Combine(DataDirectory, "rabbitmq", "home"),
            ["ERL_EPMD_PORT"] = epmdPort,
            ["RABBITMQ_CTL_ERL_ARGS"] = "-start_epmd false",
        };
        var output = await RunAsync("/usr/lib/rabbitmq/bin/rabbitmqctl",
            ["-n", $"{node}@localhost", "list_queues", "name", "messages", "--quiet", "--no-table-headers"], environment, ct);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t'))
            .Where(f => f.Length == 2 && long.TryParse(f[1], CultureInfo.InvariantCulture, out _))
            .ToDictionary(f => f[0], f => long.Parse(f[1], CultureInfo.InvariantCulture));
    }

    private static async Task<string> RunAsync(string file, string[] args, Dictionary<string, string> environment, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {await error}");
        return await output;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await journalStop.CancelAsync();
        await journal;
        journalStop.Dispose();
        await app.DisposeAsync();
        log.Dispose();
        Repository.DeleteDataDirectory(DataDirectory);
    }
}
