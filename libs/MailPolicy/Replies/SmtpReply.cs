using System.Text.RegularExpressions;

namespace ProMTA.MailPolicy.Replies;

/// <summary>One outcome of a delivery attempt, as the Delivery service saw it.</summary>
/// <param name="Code">The basic SMTP reply code (250, 421, 550...), 0 when there was no reply.</param>
/// <param name="Text">The reply text after the code, including the enhanced status code when the server sent one.</param>
/// <param name="Source">Whether the ISP answered or could not be reached.</param>
public sealed partial record SmtpReply(int Code, string Text, ReplySource Source = ReplySource.Remote)
{
    /// <summary>The enhanced status code at the start of the text ("4.7.28"), or null.</summary>
    public string? EnhancedCode { get; } = ParseEnhanced(Text);

    /// <summary>A plain 250 acceptance.</summary>
    public static SmtpReply Accepted { get; } = new(250, "2.0.0 OK");

    /// <summary>Parses a reply line such as <c>421 4.7.28 Our system has detected...</c>; the dash of multi-line replies is accepted.</summary>
    public static SmtpReply Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var trimmed = line.Trim();
        if (trimmed.Length >= 3 && int.TryParse(trimmed.AsSpan(0, 3), out var code))
        {
            var rest = trimmed.Length > 3 ? trimmed[4..].TrimStart() : "";
            return new SmtpReply(code, rest);
        }
        return new SmtpReply(0, trimmed);
    }

    /// <summary>The destination could not be reached (no reply at all).</summary>
    public static SmtpReply ConnectionFailed(string reason) => new(0, reason, ReplySource.ConnectionFailure);

    /// <summary>What the reply means for the recipient by its basic code: 2xx delivered, 5xx bounced, anything else tried again.</summary>
    public DeliveryOutcome Outcome => Code switch
    {
        >= 200 and < 300 => DeliveryOutcome.Delivered,
        >= 500 and < 600 => DeliveryOutcome.Bounced,
        _ => DeliveryOutcome.Deferred,
    };

    /// <summary>
    /// The status a delivery status notification reports for this reply (RFC 3464 Status, RFC 3463 codes): the enhanced
    /// code when its class agrees with the basic code's (a 5xx is never reported as transient), else the class alone.
    /// </summary>
    public string DsnStatus => EnhancedCode is { } enhanced && enhanced[0] - '0' == Code / 100 ? enhanced : Code / 100 == 4 ? "4.0.0" : "5.0.0";

    /// <summary>True for 5xx replies: final for the message.</summary>
    public bool IsPermanent => Code is >= 500 and < 600 || EnhancedCode?.StartsWith('5') == true;

    private static string? ParseEnhanced(string text)
    {
        var match = EnhancedPattern().Match(text ?? "");
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"^\s*([245]\.\d{1,3}\.\d{1,3})\b")]
    private static partial Regex EnhancedPattern();
}
