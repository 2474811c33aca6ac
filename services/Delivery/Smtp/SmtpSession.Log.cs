namespace ProMTA.Delivery.Smtp;

internal sealed partial class SmtpSession
{
    [LoggerMessage(LogLevel.Information, "SMTP session from {ClientIp} idle for {Timeout}: closed with 421 4.4.2")]
    private partial void LogIdle(string clientIp, TimeSpan timeout);

    [LoggerMessage(LogLevel.Debug, "SMTP session from {ClientIp} lost: {Reason}")]
    private partial void LogConnectionLost(string clientIp, string reason);

    [LoggerMessage(LogLevel.Warning, "SMTP session from {ClientIp} closed after {Errors} protocol errors")]
    private partial void LogTooManyErrors(string clientIp, int errors);

    [LoggerMessage(LogLevel.Error, "SMTP {Command} from {ClientIp} failed in its handler; answered 451")]
    private partial void LogHandlerFailed(Exception ex, string command, string clientIp);

    [LoggerMessage(LogLevel.Information, "SMTP message from {ClientIp} refused: {Reply}")]
    private partial void LogRefusedMessage(string clientIp, string reply);

    [LoggerMessage(LogLevel.Debug, "SMTP session from {ClientIp} switched to {Protocol}")]
    private partial void LogTls(string clientIp, string protocol);
}
