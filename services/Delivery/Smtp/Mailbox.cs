namespace ProMTA.Delivery.Smtp;

/// <summary>A reverse or forward path: local part and domain; both empty for the null reverse path MAIL FROM:&lt;&gt;.</summary>
public interface IMailbox
{
    string User { get; }
    string Host { get; }
}

public sealed record Mailbox(string User, string Host) : IMailbox
{
    public static readonly Mailbox Empty = new("", "");
}

public static class MailboxExtensions
{
    /// <summary>user@host, or null for the null reverse path.</summary>
    public static string? AsAddress(this IMailbox mailbox) =>
        string.IsNullOrEmpty(mailbox.User) && string.IsNullOrEmpty(mailbox.Host) ? null : $"{mailbox.User}@{mailbox.Host}";
}
