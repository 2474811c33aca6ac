using System.Diagnostics;
using System.Net.Sockets;

namespace ProMTA.TestKit;

/// <summary>
/// Postfix's smtp-sink (Debian's postfix package, installed by eng/install-servers.sh) on 127.0.0.1: a real SMTP server
/// that accepts every message and writes each to a file, so tests can read what arrived. <paramref name="hardReject"/>
/// makes it answer those commands with 5xx (e.g. "RCPT"). Stopped (SIGTERM to its PID) on dispose, its folder removed.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private const string Executable = "/usr/sbin/smtp-sink";
    private readonly Process process;
    private readonly string directory;

    private SmtpSink(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <param name="options">More of smtp-sink's switches, e.g. <c>-8</c> (no 8BITMIME).</param>
    public static async Task<SmtpSink> StartAsync(int port, string? hardReject = null, IEnumerable<string>? options = null)
    {
        var directory = Directory.CreateTempSubdirectory("smtp-sink-").FullName;
        // smtp-sink drops root privileges to -u's user, who must be able to write the messages.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(directory, (UnixFileMode)0x1FF);
        var arguments = new List<string>();
        if (Environment.UserName == "root") arguments.AddRange(["-u", "nobody"]);
        if (hardReject is not null) arguments.AddRange(["-f", hardReject]);
        arguments.AddRange(options ?? []);
        arguments.AddRange(["-d", Path.Combine(directory, "%M."), $"127.0.0.1:{port}", "16"]);
        var process = Process.Start(new ProcessStartInfo(Executable, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("could not start smtp-sink");
        var sink = new SmtpSink(process, directory, port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return sink;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Every message received so far, with smtp-sink's X-Mail-Args / X-Rcpt-Args envelope lines first.</summary>
    public IReadOnlyList<string> Messages() => [.. Directory.EnumerateFiles(directory).Select(File.ReadAllText)];

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.TerminateAsync(process);
        process.Dispose();
        Directory.Delete(directory, recursive: true);
    }
}
