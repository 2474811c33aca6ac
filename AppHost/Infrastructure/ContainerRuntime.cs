using Microsoft.Extensions.Configuration;
using System.Diagnostics;

namespace ProMTA.AppHost.Infrastructure;

public static class ContainerRuntime
{
    /// <summary>
    /// True when a container engine answers (docker or podman), so Aspire's container resources can run.
    /// Infrastructure:Mode (native | containers) overrides the detection.
    /// </summary>
    public static bool IsAvailable(IConfiguration configuration)
    {
        var mode = configuration["Infrastructure:Mode"];
        if (!string.IsNullOrEmpty(mode)) return mode.Equals("containers", StringComparison.OrdinalIgnoreCase);
        return Answers("docker") || Answers("podman");
    }

    private static bool Answers(string client)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(client, "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null) return false;
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill();
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // the client is not installed
        }
    }
}
