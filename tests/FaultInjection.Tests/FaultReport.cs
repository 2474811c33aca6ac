using System.Text;
using ProMTA.TestKit;

namespace ProMTA.FaultInjection;

/// <summary>The counts of one run, printed to the test output and kept in .data/fault-injection-report.txt.</summary>
public sealed class FaultReport(int seed)
{
    private readonly StringBuilder lines = new();

    public static string FilePath => Path.Combine(Repository.Root, ".data", "fault-injection-report.txt");

    public Dictionary<string, int> Kills { get; } = [];
    public Dictionary<string, int> Restarts { get; } = [];
    private int duplicates;

    public int Duplicates => duplicates;

    public void AddDuplicates(int count) => Interlocked.Add(ref duplicates, count);

    public Dictionary<string, int> TransientFaults { get; } = [];
    public Dictionary<string, int> FinalStates { get; } = [];
    public int Orders { get; set; }
    public int ClientRetries { get; set; }
    public int Reads { get; set; }
    public Dictionary<string, int> OutageAnswers { get; set; } = [];
    public TimeSpan Duration { get; set; }

    /// <summary>Faults run concurrently: every count goes through here.</summary>
    public void Count(Dictionary<string, int> counts, string key)
    {
        lock (counts) counts[key] = counts.GetValueOrDefault(key) + 1;
    }

    public void Log(TimeSpan at, string what)
    {
        lock (lines) lines.AppendLine($"  {at:mm\\:ss\\.f}  {what}");
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"Fault injection run, seed {seed} (replay: FAULTS_SEED={seed}), {Duration:mm\\:ss} after start-up");
        text.AppendLine($"orders: {Orders}; final states: {Format(FinalStates)}");
        text.AppendLine($"SIGKILL + restart: {Format(Kills)}");
        text.AppendLine($"server restarts: {Format(Restarts)}");
        text.AppendLine($"duplicate deliveries (outbox rows published again): {Duplicates}");
        text.AppendLine($"transient consumer faults (first attempt threw): {TransientFaults.Values.Sum()} ({Format(TransientFaults)})");
        text.AppendLine($"client retries (5xx, refused connections, 429): {ClientRetries}");
        text.AppendLine($"reads during the faults (invoices, products): {Reads}; outage answers by status: {Format(OutageAnswers)}");
        text.AppendLine("timeline:");
        lock (lines)
        {
            foreach (var line in lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)) text.AppendLine(line);
        }
        return text.ToString();
    }

    private static string Format(Dictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key} {c.Value}"));

    public void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        File.WriteAllText(FilePath, ToString());
    }
}
