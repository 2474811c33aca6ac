using System.Net;
using ProMTA.Delivery.Domain;

namespace ProMTA.Delivery.Webhooks;

/// <summary>
/// What a customer may register: an absolute https URL (http too where internal endpoints are allowed), no user
/// info, a host that is not an internal address or name. A name is checked again at every connection, on the address
/// it resolved to (<see cref="WebhookSender"/>): a DNS answer that changes later cannot point us inside either.
/// </summary>
public static class WebhookUrl
{
    public const int MaxLength = 2000;

    /// <summary>Null when acceptable, else why not (for the 400).</summary>
    public static string? Refusal(string? url, bool allowInternal)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxLength) return $"url is required and at most {MaxLength} characters.";
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")) return "url must be an absolute https URL.";
        if (uri.Scheme == "http" && !allowInternal) return "url must use https.";
        if (uri.UserInfo.Length > 0) return "url must not contain a user name or password.";
        if (allowInternal) return null;
        var host = uri.IdnHost.TrimEnd('.');
        if (IPAddress.TryParse(host, out var address) ? InternalAddresses.Contains(address) : IsInternalName(host))
        {
            return "url must not point at a loopback, private or link-local address.";
        }
        return null;
    }

    private static bool IsInternalName(string host) =>
        !host.Contains('.') || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".internal", StringComparison.OrdinalIgnoreCase)
        || host.EndsWith(".local", StringComparison.OrdinalIgnoreCase);
}
