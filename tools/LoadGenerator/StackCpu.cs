using System.Globalization;

namespace ProMTA.LoadGenerator;

/// <summary>
/// CPU time (user + system, in clock ticks) of every process of the stack, grouped by what it is, read from /proc like
/// tools/scripts/relay-benchmark.sh's cpu_ticks. CPU time is the load-robust measure on a shared machine: wall-clock
/// rates move with what others run, the CPU an order costs does not (much).
/// </summary>
public static class StackCpu
{
    // Linux's USER_HZ; every distribution we run on uses 100 (getconf CLK_TCK).
    private const double MillisecondsPerTick = 10;

    /// <summary>Most specific first: a service's own name wins over "dotnet" or the Aspire parts that started it.</summary>
    private static readonly (string Part, string Name)[] Kinds =
    [
        ("Gateway", "Gateway"), ("Ordering", "Ordering"), ("Billing", "Billing"), ("Provisioning", "Provisioning"),
        ("Dns.dll", "Dns"), ("/Dns", "Dns"), ("Delivery", "Delivery"), ("StripeEmulator", "Stripe emulator"), ("FakeIsp", "FakeIsp"),
        ("postgres", "PostgreSQL"), ("beam.smp", "RabbitMQ"), ("epmd", "RabbitMQ"), ("erl_child_setup", "RabbitMQ"), ("inet_gethost", "RabbitMQ"),
        ("rabbitmq", "RabbitMQ"), ("Aspire.Dashboard", "Aspire dashboard (telemetry)"), ("pdns_server", "PowerDNS"), ("dcp", "Aspire (AppHost, DCP)"), ("AppHost", "Aspire (AppHost, DCP)"),
        ("dotnet run", "Aspire (AppHost, DCP)"),
    ];

    /// <summary>
    /// Ticks per kind for the process tree under <paramref name="root"/>. DCP, which starts the services and servers,
    /// detaches into its own session (parent 1) and is told to watch the AppHost with --monitor PID: its tree counts too.
    /// </summary>
    public static Dictionary<string, long> Snapshot(int root)
    {
        var processes = new Dictionary<int, Process>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // After the ")" that ends the command name: state ppid pgrp session ... utime(14) stime cutime cstime.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = fields[11..15].Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
                var argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                if (argv.Length == 0) continue;
                processes[pid] = new(int.Parse(fields[1], CultureInfo.InvariantCulture), ticks, Program(argv), argv);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended while we read it: its time is in its parent's cutime/cstime from now on.
            }
        }
        var children = processes.ToLookup(p => p.Value.Parent, p => p.Key);
        var stack = new HashSet<int>();
        var todo = new Stack<int>([root]);
        while (todo.Count > 0)
        {
            var pid = todo.Pop();
            if (!stack.Add(pid)) continue;
            foreach (var child in children[pid]) todo.Push(child);
            var monitor = $"{pid}";
            foreach (var (watcher, process) in processes)
            {
                if (process.Argv.Zip(process.Argv.Skip(1)).Any(a => a is ("--monitor", var p) && p == monitor)) todo.Push(watcher);
            }
        }
        var totals = new Dictionary<string, long>();
        foreach (var pid in stack)
        {
            if (!processes.TryGetValue(pid, out var process)) continue;
            var kind = KindOf(pid, processes);
            totals[kind] = totals.GetValueOrDefault(kind) + process.Ticks;
        }
        return totals;
    }

    /// <summary>The table of CPU ms per order by kind between two snapshots, most expensive first.</summary>
    public static IEnumerable<string> PerOrder(Dictionary<string, long> before, Dictionary<string, long> after, int orders, TimeSpan elapsed)
    {
        var rows = after.Select(a => (Kind: a.Key, Ms: (a.Value - before.GetValueOrDefault(a.Key)) * MillisecondsPerTick))
            .Where(r => r.Ms > 0).OrderByDescending(r => r.Ms).ToList();
        var total = rows.Sum(r => r.Ms);
        yield return "| process | CPU ms per order | CPU s total | share |";
        yield return "|---|---|---|---|";
        foreach (var (kind, ms) in rows)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"| {kind} | {ms / orders:0.0} | {ms / 1000:0.0} | {ms / total:P0} |");
        }
        yield return string.Create(CultureInfo.InvariantCulture,
            $"| **all** | **{total / orders:0.0}** | {total / 1000:0.0} | {total / elapsed.TotalMilliseconds / Environment.ProcessorCount:P0} of {Environment.ProcessorCount} cores |");
    }

    /// <summary>CPU ms per wall-clock second by kind between two snapshots (1,000 = one core busy).</summary>
    public static IEnumerable<string> PerSecond(Dictionary<string, long> before, Dictionary<string, long> after, int seconds)
    {
        var rows = after.Select(a => (Kind: a.Key, Ms: (a.Value - before.GetValueOrDefault(a.Key)) * MillisecondsPerTick))
            .Where(r => r.Ms > 0).OrderByDescending(r => r.Ms).ToList();
        yield return "| process | idle CPU ms per s |";
        yield return "|---|---|";
        foreach (var (kind, ms) in rows) yield return string.Create(CultureInfo.InvariantCulture, $"| {kind} | {ms / seconds:0.0} |");
        yield return string.Create(CultureInfo.InvariantCulture, $"| **all** | **{rows.Sum(r => r.Ms) / seconds:0.0}** |");
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[..3] is var l ? string.Join(' ', l) : "";

    /// <summary>
    /// What a process runs: its executable, or for "dotnet x.dll" the assembly (option values such as the AppHost's
    /// --Ports:Gateway=... must not name a process after a service).
    /// </summary>
    private static string Program(string[] argv)
    {
        var executable = Path.GetFileName(argv[0]);
        return executable == "dotnet" && argv.Length > 1 ? $"{executable} {argv[1]}" : argv[0];
    }

    private static string KindOf(int pid, Dictionary<int, Process> processes)
    {
        // A PostgreSQL backend or an Erlang helper is named after its parent server: look up the ancestors too.
        for (var i = 0; i < 64 && processes.TryGetValue(pid, out var process); i++, pid = process.Parent)
        {
            foreach (var (part, name) in Kinds)
            {
                if (process.Program.Contains(part, StringComparison.Ordinal)) return name;
            }
        }
        return "other";
    }

    private sealed record Process(int Parent, long Ticks, string Program, string[] Argv);
}
