using System.Globalization;

namespace ProMTA.FaultInjection;

/// <summary>The processes below one process, read from /proc (Linux only, like the native servers).</summary>
internal static class ProcessTree
{
    /// <summary><paramref name="root"/> and every descendant, deepest first, so killing in this order leaves no orphan.</summary>
    public static IReadOnlyList<int> DeepestFirst(int root)
    {
        var children = ParentsByPid().GroupBy(p => p.Value, p => p.Key).ToDictionary(g => g.Key, g => g.ToList());
        var order = new List<int>();
        Visit(root);
        return order;

        void Visit(int pid)
        {
            foreach (var child in children.GetValueOrDefault(pid, [])) Visit(child);
            order.Add(pid);
        }
    }

    private static Dictionary<int, int> ParentsByPid()
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain blanks, so parse after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // the process ended while we looked
            }
        }
        return parents;
    }
}
