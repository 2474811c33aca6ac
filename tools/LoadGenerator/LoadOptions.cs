using System.Globalization;

namespace ProMTA.LoadGenerator;

/// <summary>Command line: --name value pairs, every one optional.</summary>
public sealed record LoadOptions
{
    public Uri Gateway { get; init; } = new("http://localhost:8080");
    /// <summary>Ordering's own URL, for the gateway-overhead comparison (the AppHost pins it with --ServicePorts:Ordering=...).</summary>
    public Uri? Ordering { get; init; }
    /// <summary>The AppHost's data folder: the run's internal secret is in secrets/internal-secret.</summary>
    public string DataDirectory { get; init; } = ".data";
    public int Customers { get; init; } = 20;
    /// <summary>Orders driven to Active through the gateway.</summary>
    public int Orders { get; init; } = 200;
    /// <summary>
    /// Orders driven to Active before the idle window and the measured orders, not measured: a fresh stack spends its
    /// first minute compiling (tier-0 JIT, then tier-1 with PGO: 6-11 % of the services' samples in a 200-order run), a
    /// cost paid once per process start, not per order. 0: the measured orders run on the cold stack.
    /// </summary>
    public int WarmupOrders { get; init; }
    /// <summary>Requests of each kind, per path (gateway and direct), in the overhead comparison.</summary>
    public int Comparisons { get; init; } = 1000;
    public int Concurrency { get; init; } = 8;
    /// <summary>The stack's process (load.sh starts it in its own session): CPU per order is read from its process tree.</summary>
    public int? StackPid { get; init; }
    /// <summary>Seconds the stack's idle CPU is measured for before the orders (0: not measured).</summary>
    public int IdleSeconds { get; init; } = 15;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--gateway" => options with { Gateway = new Uri(value) },
                "--ordering" => options with { Ordering = new Uri(value) },
                "--data" => options with { DataDirectory = value },
                "--customers" => options with { Customers = Int(value) },
                "--orders" => options with { Orders = Int(value) },
                "--warmup-orders" => options with { WarmupOrders = Int(value) },
                "--comparisons" => options with { Comparisons = Int(value) },
                "--concurrency" => options with { Concurrency = Int(value) },
                "--stack-pid" => options with { StackPid = Int(value) },
                "--idle-seconds" => options with { IdleSeconds = Int(value) },
                "--timeout-minutes" => options with { Timeout = TimeSpan.FromMinutes(Int(value)) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return options;
    }

    private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);
}
