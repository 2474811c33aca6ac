namespace ProMTA.Delivery.Smtp;

/// <summary>
/// One SMTP reply. <see cref="Text"/> starts with the RFC 3463 enhanced code for 2xx/4xx/5xx replies (RFC 2034); the lines
/// of a multi-line reply are separated by \n.
/// </summary>
public readonly record struct SmtpResponse(int Code, string Text)
{
    public bool IsError => Code >= 400;
    public bool IsPositive => Code is >= 200 and < 400;
    public override string ToString() => $"{Code} {Text}";
}

/// <summary>Thrown by a handler to answer the current command with <see cref="Response"/>; <see cref="Close"/> ends the session after it.</summary>
public sealed class SmtpResponseException(SmtpResponse response, bool close = false) : Exception(response.ToString())
{
    public SmtpResponse Response { get; } = response;
    public bool Close { get; } = close;
}

/// <summary>The engine's own replies, each with its enhanced status code, so every session answers alike.</summary>
public static class SmtpReplies
{
    public static readonly SmtpResponse Ok = new(250, "2.0.0 Ok");
    public static readonly SmtpResponse SenderOk = new(250, "2.1.0 Sender ok");
    public static readonly SmtpResponse RecipientOk = new(250, "2.1.5 Recipient ok");
    public static readonly SmtpResponse StartData = new(354, "End data with <CR><LF>.<CR><LF>");
    public static readonly SmtpResponse Bye = new(221, "2.0.0 Bye");
    public static readonly SmtpResponse ReadyForTls = new(220, "2.0.0 Ready to start TLS");
    public static readonly SmtpResponse AuthSucceeded = new(235, "2.7.0 Authentication successful");
    public static readonly SmtpResponse AuthFailed = new(535, "5.7.8 Authentication credentials invalid");
    public static readonly SmtpResponse AuthenticationRequired = new(530, "5.7.0 Authentication required");
    public static readonly SmtpResponse TlsRequiredForAuth = new(530, "5.7.0 Must issue a STARTTLS command first");
    public static readonly SmtpResponse CannotVerify = new(252, "2.5.0 Cannot VRFY user; send mail and it will be delivered or bounced");
    public static readonly SmtpResponse Help = new(214, "2.0.0 See RFC 5321");
    public static readonly SmtpResponse UnknownCommand = new(500, "5.5.2 Command unrecognized");
    public static readonly SmtpResponse LineTooLong = new(500, "5.5.6 Line too long");
    public static readonly SmtpResponse NeedHelo = new(503, "5.5.1 Send EHLO or HELO first");
    public static readonly SmtpResponse NestedMail = new(503, "5.5.1 Sender already given; RSET first");
    public static readonly SmtpResponse NeedMail = new(503, "5.5.1 Need MAIL before RCPT");
    public static readonly SmtpResponse NeedRcpt = new(503, "5.5.1 Need RCPT before DATA");
    public static readonly SmtpResponse AlreadyAuthenticated = new(503, "5.5.1 Already authenticated");
    public static readonly SmtpResponse AuthInTransaction = new(503, "5.5.1 AUTH not allowed during a mail transaction");
    public static readonly SmtpResponse AlreadyTls = new(503, "5.5.1 TLS already active");
    public static readonly SmtpResponse AuthNotOffered = new(503, "5.5.1 AUTH not available on this port");
    public static readonly SmtpResponse TlsUnavailable = new(454, "4.7.0 TLS not available");
    public static readonly SmtpResponse NoArguments = new(501, "5.5.4 No parameters allowed");
    public static readonly SmtpResponse HeloSyntax = new(501, "5.5.4 Syntax: EHLO hostname");
    public static readonly SmtpResponse MailSyntax = new(501, "5.5.4 Syntax: MAIL FROM:<address> [parameters]");
    public static readonly SmtpResponse RcptSyntax = new(501, "5.5.4 Syntax: RCPT TO:<address> [parameters]");
    public static readonly SmtpResponse AuthSyntax = new(501, "5.5.4 Syntax: AUTH mechanism [initial-response]");
    public static readonly SmtpResponse AuthCancelled = new(501, "5.0.0 Authentication cancelled");
    public static readonly SmtpResponse AuthBadEncoding = new(501, "5.5.2 Cannot decode the response (base64 expected)");
    public static readonly SmtpResponse UnknownMechanism = new(504, "5.5.4 Unrecognized authentication mechanism");
    public static readonly SmtpResponse MessageTooBig = new(552, "5.3.4 Message size exceeds fixed maximum message size");
    public static readonly SmtpResponse TooManyRecipients = new(452, "4.5.3 Too many recipients");
    public static readonly SmtpResponse HeaderTooLarge = new(552, "5.3.4 Message header section too large");
    public static readonly SmtpResponse TooManyHeaders = new(554, "5.6.0 Too many header fields");
    public static readonly SmtpResponse TooManyHops = new(554, "5.4.6 Too many hops (Received headers): mail loop suspected");
    public static readonly SmtpResponse NonAsciiAddress = new(553, "5.6.7 Non-ASCII address not permitted without SMTPUTF8");
    public static readonly SmtpResponse SenderRefused = new(550, "5.7.1 Sender refused");
    public static readonly SmtpResponse RecipientRefused = new(550, "5.1.1 Recipient refused");
    public static readonly SmtpResponse LocalError = new(451, "4.3.0 Local error; try again later");
    /// <summary>RFC 4954's reply when the credentials could not be checked (not that they are wrong).</summary>
    public static readonly SmtpResponse AuthTemporaryFailure = new(454, "4.7.0 Temporary authentication failure; try again later");

    public static SmtpResponse BadSenderAddress(string why) => new(501, $"5.1.7 Bad sender address syntax: {why}");
    public static SmtpResponse BadRecipientAddress(string why) => new(501, $"5.1.3 Bad recipient address syntax: {why}");
    public static SmtpResponse UnsupportedParameter(string name) => new(555, $"5.5.4 Unsupported parameter {name}");
    public static SmtpResponse BadParameter(string name) => new(501, $"5.5.4 Invalid value for parameter {name}");
    public static SmtpResponse Greeting(string host) => new(220, $"{host} ESMTP ProMTA");
    public static SmtpResponse IdleTimeout(string host) => new(421, $"4.4.2 {host} Idle timeout, closing connection");
    public static SmtpResponse TooManyErrors(string host) => new(421, $"4.7.0 {host} Too many errors, closing connection");
    public static SmtpResponse TooManyConnections(string host) => new(421, $"4.7.0 {host} Too many connections from your address, try again later");
    public static SmtpResponse ShuttingDown(string host) => new(421, $"4.3.2 {host} Service shutting down, closing connection");
}
