namespace ProMTA.Delivery.Smtp;

/// <summary>MAIL, RCPT and DATA: one message's envelope and content.</summary>
internal sealed partial class SmtpSession
{
    private async Task<SmtpResponse> MailAsync(string argument)
    {
        if (context.Helo is null) return SmtpReplies.NeedHelo;
        if (context.Transaction is not null) return SmtpReplies.NestedMail;
        if (!TryPrefix(argument, "FROM:", out var path)) return SmtpReplies.MailSyntax;
        var parsed = PathParser.Parse(path, allowNull: true, utf8: false, out var error, out var nonAscii);
        if (parsed is null) return nonAscii ? SmtpReplies.NonAsciiAddress : SmtpReplies.BadSenderAddress(error);
        var parameters = EnvelopeParameters.ParseMail(parsed.Parameters);
        if (parameters.Size > options.MaxMessageSize) return SmtpReplies.MessageTooBig;
        var size = (int)Math.Min(parameters.Size ?? 0, int.MaxValue);
        if (!await handlers.Filter.CanAcceptFromAsync(context, parsed.Mailbox, size, stopping)) return SmtpReplies.SenderRefused;
        context.Transaction = new MessageTransaction(parsed.Mailbox, parameters);
        return SmtpReplies.SenderOk;
    }

    private async Task<SmtpResponse> RcptAsync(string argument)
    {
        if (context.Transaction is not { } transaction) return SmtpReplies.NeedMail;
        if (!TryPrefix(argument, "TO:", out var path)) return SmtpReplies.RcptSyntax;
        var parsed = PathParser.Parse(path, allowNull: false, utf8: false, out var error, out var nonAscii);
        if (parsed is null) return nonAscii ? SmtpReplies.NonAsciiAddress : SmtpReplies.BadRecipientAddress(error);
        var (notify, original) = EnvelopeParameters.ParseRcpt(parsed.Parameters);
        if (parsed.Mailbox.Host.Length > 0 && RecipientDomains.IsRefused(parsed.Mailbox.Host))
        {
            return new SmtpResponse(550, "5.1.2 Address literals and loopback, private or internal destinations are not accepted");
        }
        // The same recipient twice in one message is delivered once: answered as accepted, stored once.
        if (transaction.Contains(parsed.Mailbox)) return SmtpReplies.RecipientOk;
        // RFC 5321 4.5.3.1.10: 452 tells the client to send the remaining recipients in another transaction.
        if (transaction.To.Count >= options.MaxRecipients) return SmtpReplies.TooManyRecipients;
        if (!await handlers.Filter.CanDeliverToAsync(context, parsed.Mailbox, transaction.From, stopping)) return SmtpReplies.RecipientRefused;
        transaction.Add(new Recipient(parsed.Mailbox, notify, original));
        return SmtpReplies.RecipientOk;
    }

    private async Task<SmtpResponse?> DataAsync(string argument)
    {
        if (argument.Trim().Length > 0) return SmtpReplies.NoArguments;
        if (context.Transaction is not { } transaction) return SmtpReplies.NeedMail;
        if (transaction.To.Count == 0) return SmtpReplies.NeedRcpt;
        await connection.WriteAsync(SmtpReplies.StartData, flush: true);
        var receiver = new DataReceiver(options.MaxMessageSize);
        var complete = await receiver.ReceiveAsync(connection);
        context.Transaction = null;
        if (!complete)
        {
            closing = true;
            return null; // the client went away in the middle of DATA: nothing is stored, nobody to answer
        }
        var shape = receiver.Shape;
        var refused = shape switch
        {
            { TooLarge: true } => SmtpReplies.MessageTooBig,
            _ when shape.HeaderBytes > options.MaxHeaderBytes => SmtpReplies.HeaderTooLarge,
            _ when shape.HeaderCount > options.MaxHeaderCount => SmtpReplies.TooManyHeaders,
            _ when shape.ReceivedCount > options.MaxReceivedHeaders => SmtpReplies.TooManyHops,
            _ => (SmtpResponse?)null,
        };
        if (refused is { } reply)
        {
            LogRefusedMessage(ClientIp, reply.ToString());
            return reply;
        }
        transaction.Shape = shape;
        return await handlers.Store.SaveAsync(context, transaction, receiver.Content, stopping);
    }

    /// <summary>"FROM:" / "TO:" in any case; a space after the colon is tolerated (many clients send one).</summary>
    private static bool TryPrefix(string argument, string prefix, out string rest)
    {
        rest = "";
        if (!argument.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        rest = argument[prefix.Length..];
        return true;
    }
}
