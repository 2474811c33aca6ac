using System.Net;

namespace ProMTA.Delivery.Smtp;

/// <summary>
/// The argument of MAIL FROM:/RCPT TO: (RFC 5321 4.1.2): "&lt;path&gt;" then optional SP-separated parameters, nothing else.
/// Local parts are a dot-string or quoted-string of at most 64 octets (4.5.3.1.1), domains letter-digit-hyphen labels of at
/// most 63 octets and 255 in all (4.5.3.1.2), or an address literal. Non-ASCII only when SMTPUTF8 was given (RFC 6531).
/// </summary>
internal static class PathParser
{
    public sealed record Parsed(Mailbox Mailbox, bool IsAddressLiteral, IReadOnlyList<(string Key, string? Value)> Parameters);

    /// <summary>Null with <paramref name="error"/> set when the argument is malformed.</summary>
    public static Parsed? Parse(string argument, bool allowNull, bool utf8, out string error, out bool nonAscii)
    {
        error = "";
        nonAscii = false;
        var text = argument.TrimStart(' ');
        if (text.Length == 0 || text[0] != '<')
        {
            error = "the address must be enclosed in <>";
            return null;
        }
        var close = text.IndexOf('>');
        if (close < 0)
        {
            error = "missing >";
            return null;
        }
        var rest = text[(close + 1)..];
        if (rest.Length > 0 && rest[0] != ' ')
        {
            error = "unexpected text after the address";
            return null;
        }
        var parameters = new List<(string, string?)>();
        foreach (var item in rest.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = item.IndexOf('=');
            var key = (eq < 0 ? item : item[..eq]).ToUpperInvariant();
            if (key.Length == 0 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') || parameters.Any(p => p.Item1 == key))
            {
                error = $"bad parameter {item}";
                return null;
            }
            parameters.Add((key, eq < 0 ? null : item[(eq + 1)..]));
        }

        var path = text[1..close];
        if (path.Length == 0)
        {
            if (allowNull) return new Parsed(Mailbox.Empty, false, parameters);
            error = "empty address";
            return null;
        }
        // A source route (@a,@b:user@d) must be accepted and is ignored (RFC 5321 4.1.2, C).
        if (path[0] == '@')
        {
            var colon = path.IndexOf(':');
            if (colon < 0)
            {
                error = "bad source route";
                return null;
            }
            path = path[(colon + 1)..];
        }
        nonAscii = path.Any(c => c > '\x7f');
        if (nonAscii && !utf8) return null;
        var at = path.LastIndexOf('@');
        // RCPT TO:<postmaster> has no domain and must be accepted (RFC 5321 4.1.1.3).
        if (at < 0 && !allowNull && path.Equals("postmaster", StringComparison.OrdinalIgnoreCase)) return new Parsed(new Mailbox(path, ""), false, parameters);
        if (at <= 0 || at == path.Length - 1)
        {
            error = "expected local-part@domain";
            return null;
        }
        var local = path[..at];
        var domain = path[(at + 1)..];
        if (System.Text.Encoding.UTF8.GetByteCount(local) > 64)
        {
            error = "local part longer than 64 octets";
            return null;
        }
        if (!ValidLocalPart(local, utf8))
        {
            error = "invalid local part";
            return null;
        }
        if (domain[0] == '[')
        {
            if (!ValidAddressLiteral(domain))
            {
                error = "invalid address literal";
                return null;
            }
            return new Parsed(new Mailbox(local, domain), true, parameters);
        }
        if (DomainError(domain) is { } domainError)
        {
            error = domainError;
            return null;
        }
        return new Parsed(new Mailbox(local, domain), false, parameters);
    }

    private static bool ValidLocalPart(string local, bool utf8)
    {
        if (local[0] == '"')
        {
            if (local.Length < 2 || local[^1] != '"') return false;
            for (var i = 1; i < local.Length - 1; i++)
            {
                var c = local[i];
                if (c == '\\')
                {
                    if (++i >= local.Length - 1 || local[i] is < ' ' or > '~') return false;
                }
                else if (c is '"' or < ' ' || c == '\x7f' || c > '\x7f' && !utf8) return false;
            }
            return true;
        }
        if (local[0] == '.' || local[^1] == '.' || local.Contains("..")) return false;
        return local.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.".Contains(c) || c > '\x7f' && utf8);
    }

    private static string? DomainError(string domain)
    {
        if (domain.Length > 255) return "domain longer than 255 octets";
        foreach (var label in domain.Split('.'))
        {
            if (label.Length == 0) return "empty domain label";
            if (label.Length > 63) return "domain label longer than 63 octets";
            if (label[0] == '-' || label[^1] == '-') return "domain label starts or ends with a hyphen";
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c > '\x7f')) return "invalid character in the domain";
        }
        return null;
    }

    private static bool ValidAddressLiteral(string literal)
    {
        if (literal[^1] != ']') return false;
        var inner = literal[1..^1];
        if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.TryParse(inner[5..], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }
        return IPAddress.TryParse(inner, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && inner.Count(c => c == '.') == 3;
    }
}
