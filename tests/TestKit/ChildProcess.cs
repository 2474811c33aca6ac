using System.Diagnostics;

namespace ProMTA.TestKit;

public static class ChildProcess
{
    /// <summary>Asks a child process to stop (SIGTERM: it shuts down cleanly), and kills it if it is still there after 30 s.</summary>
    public static async Task TerminateAsync(Process process)
    {
        if (process.HasExited) return;
        Process.Start("kill", ["-TERM", process.Id.ToString()])?.WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
    }
}
