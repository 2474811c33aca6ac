using System.Diagnostics;
using ProMTA.TestKit;

namespace ProMTA.Delivery.Tests;

/// <summary>SMTP clients nobody here wrote (Debian's swaks, Python's smtplib), run as child processes.</summary>
public static class ExternalClient
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
    }

    public static Task<Result> SwaksAsync(params string[] arguments) => RunAsync("swaks", arguments, null);

    /// <summary>Runs a Python script (given on stdin) with <paramref name="arguments"/> as sys.argv[1:].</summary>
    public static Task<Result> PythonAsync(string script, params string[] arguments) => RunAsync("python3", ["-", .. arguments], script);

    private static async Task<Result> RunAsync(string fileName, string[] arguments, string? stdin)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        try
        {
            if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            return new Result(process.ExitCode, await output, await error);
        }
        finally
        {
            await ChildProcess.TerminateAsync(process);
        }
    }
}
