using MailKit.Net.Smtp;
using MimeKit;

namespace ProMTA.Delivery.Outbound;

/// <summary>
/// MailKit's client that remembers each refused recipient's reply instead of failing the whole message: every
/// recipient is tracked separately (one may be 550 unknown while the others are delivered).
/// </summary>
internal sealed class TrackingSmtpClient : SmtpClient
{
    public Dictionary<string, (int Code, string Text)> Refused { get; } = new(StringComparer.OrdinalIgnoreCase);

    public void BeginMessage() => Refused.Clear();

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        Refused[mailbox.Address] = ((int)response.StatusCode, response.Response);
}
