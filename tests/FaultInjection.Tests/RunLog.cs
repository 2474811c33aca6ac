using Microsoft.Extensions.Logging;
using ProMTA.TestKit;

namespace ProMTA.FaultInjection;

/// <summary>
/// Every log line of a run (Aspire's own orchestration logs and every resource's console output, which
/// Aspire.Hosting.Testing forwards to ILogger) in .data/fault-injection-run.log, so a failed run shows why a
/// resource did not come back.
/// </summary>
internal sealed class RunLog : ILoggerProvider
{
    private readonly StreamWriter writer;

    public RunLog()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        writer = new StreamWriter(FilePath, append: false) { AutoFlush = true };
    }

    public static string FilePath => Path.Combine(Repository.Root, ".data", "fault-injection-run.log");

    public void Write(string category, string message)
    {
        lock (writer) writer.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {category}: {message}");
    }

    public ILogger CreateLogger(string categoryName) => new Category(this, categoryName);

    public void Dispose()
    {
        lock (writer) writer.Dispose();
    }

    private sealed class Category(RunLog log, string name) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            log.Write(name, $"[{logLevel}] {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
        }
    }
}
