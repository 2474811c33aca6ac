using System.Text;

namespace ProMTA.Delivery.Smtp;

/// <summary>STARTTLS (RFC 3207) and AUTH PLAIN/LOGIN (RFC 4954, 4616).</summary>
internal sealed partial class SmtpSession
{
    private async Task<SmtpResponse?> StartTlsAsync(string argument)
    {
        if (argument.Trim().Length > 0) return SmtpReplies.NoArguments;
        if (context.IsSecure) return SmtpReplies.AlreadyTls;
        if (options.Certificate is not { } certificate) return SmtpReplies.TlsUnavailable;
        await connection.WriteAsync(SmtpReplies.ReadyForTls, flush: true);
        await connection.StartTlsAsync(certificate);
        // RFC 3207 4.2: everything learnt before TLS is discarded (EHLO, AUTH, any transaction); the client starts over.
        context.IsSecure = true;
        context.Helo = null;
        context.Extended = false;
        context.Transaction = null;
        context.Authentication = AuthenticationContext.Unauthenticated;
        LogTls(ClientIp, connection.TlsProtocol?.ToString() ?? "?");
        return null;
    }

    private async Task<SmtpResponse?> AuthenticateAsync(string argument)
    {
        if (handlers.Authenticator is not { } authenticator) return SmtpReplies.AuthNotOffered;
        if (context.Helo is null) return SmtpReplies.NeedHelo;
        if (context.Authentication.IsAuthenticated) return SmtpReplies.AlreadyAuthenticated;
        if (context.Transaction is not null) return SmtpReplies.AuthInTransaction;
        if (!AuthOffered) return SmtpReplies.TlsRequiredForAuth;
        var parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 2) return SmtpReplies.AuthSyntax;
        var initial = parts.Length == 2 ? parts[1] : null;
        string? user, password;
        switch (parts[0].ToUpperInvariant())
        {
            case "PLAIN":
                // RFC 4954 4: "=" is an empty initial response.
                var plain = initial is null ? await ChallengeAsync("") : initial == "=" ? "" : initial;
                if (plain is null) return SmtpReplies.AuthCancelled;
                if (Decode(plain) is not { } decoded) return SmtpReplies.AuthBadEncoding;
                // authzid NUL authcid NUL passwd (RFC 4616 2)
                var fields = decoded.Split('\0');
                if (fields.Length != 3) return SmtpReplies.AuthFailed;
                (user, password) = (fields[1], fields[2]);
                break;
            case "LOGIN":
                var encodedUser = initial ?? await ChallengeAsync("VXNlcm5hbWU6");
                if (encodedUser is null) return SmtpReplies.AuthCancelled;
                user = Decode(encodedUser);
                if (user is null) return SmtpReplies.AuthBadEncoding;
                var encodedPassword = await ChallengeAsync("UGFzc3dvcmQ6");
                if (encodedPassword is null) return SmtpReplies.AuthCancelled;
                password = Decode(encodedPassword);
                if (password is null) return SmtpReplies.AuthBadEncoding;
                break;
            default:
                return SmtpReplies.UnknownMechanism;
        }
        if (!await authenticator.AuthenticateAsync(context, user, password, stopping)) return SmtpReplies.AuthFailed;
        context.Authentication = new AuthenticationContext(true, user);
        return SmtpReplies.AuthSucceeded;
    }

    /// <summary>Sends a 334 challenge and reads the answer; null when the client cancels with "*" (or leaves).</summary>
    private async Task<string?> ChallengeAsync(string challenge)
    {
        await connection.WriteAsync(new SmtpResponse(334, challenge), flush: true);
        var (line, tooLong) = await connection.ReadLineAsync(MaxCommandLength);
        if (tooLong) throw new SmtpResponseException(SmtpReplies.LineTooLong);
        if (line is null)
        {
            closing = true;
            return null;
        }
        return line.Trim() == "*" ? null : line.Trim();
    }

    private static string? Decode(string base64)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
