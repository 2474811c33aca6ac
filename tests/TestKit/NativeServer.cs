using System.Diagnostics;
using System.Text;

namespace ProMTA.TestKit;

/// <summary>
/// One of eng/native/*.sh run as a child process, the same script the AppHost runs. Stopped with SIGTERM
/// (then killed) on dispose, and its data folder removed: a test leaves nothing running or behind.
/// </summary>
public sealed class NativeServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly string dataDirectory;

    private NativeServer(Process process, string dataDirectory)
    {
        this.process = process;
        this.dataDirectory = dataDirectory;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output { get { lock (output) return output.ToString(); } }

    public static NativeServer Start(string script, string dataDirectory, IReadOnlyDictionary<string, string> environment) =>
        StartCommand("bash", [Path.Combine(Repository.Root, "eng", "native", script)], dataDirectory, environment);

    /// <summary>A server binary run with a configuration of the test's own (e.g. the one deploy/ ships), stopped the same way.</summary>
    public static NativeServer StartCommand(
        string fileName, IEnumerable<string> arguments, string dataDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        InstallServers();
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        return new NativeServer(Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}"), dataDirectory);
    }

    /// <summary>Polls <paramref name="ready"/> until it answers true; fails with the server's output if it never does.</summary>
    public async Task WaitUntilReadyAsync(Func<Task<bool>> ready, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"server exited with {process.ExitCode}:\n{Output}");
            try
            {
                if (await ready()) return;
            }
            catch (Exception)
            {
                // not up yet
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"server not ready after {timeout}:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.TerminateAsync(process);
        process.Dispose();
        // postgres.sh keeps the cluster elsewhere when its user cannot reach the repository (e.g. under /root).
        var relocated = Path.Combine(dataDirectory, "RELOCATED");
        if (File.Exists(relocated)) Repository.DeleteDataDirectory(File.ReadAllText(relocated).Trim());
        Repository.DeleteDataDirectory(dataDirectory);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    private static readonly Lazy<bool> Installed = new(() =>
    {
        using var install = Process.Start("bash", [Path.Combine(Repository.Root, "eng", "install-servers.sh")]);
        install.WaitForExit();
        return install.ExitCode == 0 ? true : throw new InvalidOperationException("eng/install-servers.sh failed");
    });

    private static void InstallServers() => _ = Installed.Value;
}
