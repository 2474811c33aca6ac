using System.Buffers;

namespace ProMTA.Delivery.Smtp;

/// <summary>Checks AUTH credentials. A listener without one (an inbound MX) offers no AUTH.</summary>
public interface IUserAuthenticator
{
    Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken);
}

/// <summary>Decides MAIL and RCPT. Return false for the engine's generic 550, or throw <see cref="SmtpResponseException"/> to say why.</summary>
public interface IMailboxFilter
{
    Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken);
    Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken);
}

/// <summary>Takes the message at the end of DATA; its reply (250 only once stored durably) goes to the client as it is.</summary>
public interface IMessageStore
{
    Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken);
}

/// <summary>What a listener does with its sessions: the relay (AUTH, submission) and an inbound MX differ only here and in options.</summary>
public sealed record SmtpHandlers(IMailboxFilter Filter, IMessageStore Store, IUserAuthenticator? Authenticator = null, Action<ISessionContext>? SessionStarted = null);
