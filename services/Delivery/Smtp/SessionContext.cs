using System.Net;

namespace ProMTA.Delivery.Smtp;

/// <summary>Who authenticated in this session; reset by STARTTLS (RFC 3207 4.2).</summary>
public sealed record AuthenticationContext(bool IsAuthenticated, string? User)
{
    public static readonly AuthenticationContext Unauthenticated = new(false, null);
}

/// <summary>What handlers may read about one SMTP session, and a bag of their own per-session state.</summary>
public interface ISessionContext
{
    IPEndPoint RemoteEndPoint { get; }
    /// <summary>The client's EHLO/HELO name; null until greeted (and again after STARTTLS).</summary>
    string? Helo { get; }
    bool IsSecure { get; }
    AuthenticationContext Authentication { get; }
    IDictionary<string, object> Properties { get; }
}

internal sealed class SessionContext(IPEndPoint remote) : ISessionContext
{
    public IPEndPoint RemoteEndPoint { get; } = remote;
    public string? Helo { get; set; }
    public bool Extended { get; set; }
    public bool IsSecure { get; set; }
    public AuthenticationContext Authentication { get; set; } = AuthenticationContext.Unauthenticated;
    public IDictionary<string, object> Properties { get; } = new Dictionary<string, object>();
    public MessageTransaction? Transaction { get; set; }
}

/// <summary>One recipient as accepted at RCPT, with its DSN parameters (RFC 3461 4.1, 4.2).</summary>
public sealed record Recipient(IMailbox Mailbox, DsnNotify? Notify, string? OriginalRecipient) : IMailbox
{
    public string User => Mailbox.User;
    public string Host => Mailbox.Host;
}

/// <summary>The envelope of the message being received.</summary>
public interface IMessageTransaction
{
    IMailbox From { get; }
    /// <summary>Accepted recipients, each once (a repeated RCPT is answered 250 and not added again).</summary>
    IReadOnlyList<Recipient> To { get; }
    MailParameters Parameters { get; }
    /// <summary>Set once DATA is received: what the engine saw while reading it (header counts, line lengths).</summary>
    MessageShape Shape { get; }
}

internal sealed class MessageTransaction(IMailbox from, MailParameters parameters) : IMessageTransaction
{
    private readonly List<Recipient> to = [];
    private readonly HashSet<string> addresses = new(StringComparer.OrdinalIgnoreCase);

    public IMailbox From { get; } = from;
    public IReadOnlyList<Recipient> To => to;
    public MailParameters Parameters { get; } = parameters;
    public MessageShape Shape { get; set; } = MessageShape.Empty;

    /// <summary>False when the address was already a recipient of this message.</summary>
    public bool Add(Recipient recipient)
    {
        if (!addresses.Add(recipient.AsAddress() ?? "")) return false;
        to.Add(recipient);
        return true;
    }

    public bool Contains(IMailbox mailbox) => addresses.Contains(mailbox.AsAddress() ?? "");
}
