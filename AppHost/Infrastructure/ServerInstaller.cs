using System.Diagnostics;

namespace ProMTA.AppHost.Infrastructure;

/// <summary>Runs eng/install-servers.sh (idempotent: a no-op when every package is there) before the servers start.</summary>
public static class ServerInstaller
{
    public static void EnsureInstalled(string repositoryRoot)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(repositoryRoot, "eng", "install-servers.sh")]))
            ?? throw new InvalidOperationException("Could not start eng/install-servers.sh");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("eng/install-servers.sh failed; it printed what is missing and how to install it.");
        }
    }
}
