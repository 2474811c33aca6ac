namespace ProMTA.Delivery.Domain;

/// <summary>
/// The stream a message is sent in (issue 19 step 5): bulk, or transactional (password resets, receipts), which its
/// egress path serves first. A message is transactional when the SMTP credential it came through is, or when it carries
/// <see cref="Header"/>: transactional.
/// </summary>
public static class MailStream
{
    public const string Bulk = "bulk";
    public const string Transactional = "transactional";

    /// <summary>The header a customer marks one message transactional with (any other value is ignored).</summary>
    public const string Header = "X-ProMTA-Stream";

    /// <summary>The stream named by <paramref name="value"/> in any case; null for anything else.</summary>
    public static string? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        Bulk => Bulk,
        Transactional => Transactional,
        _ => null,
    };

    /// <summary>
    /// The stream of a submitted message: transactional when its credential sends that stream or its header asks for it.
    /// The header can only raise a message to transactional; a typo in it must not cost the customer the message.
    /// </summary>
    public static string Of(string credentialStream, string? headerValue) =>
        credentialStream == Transactional || Parse(headerValue) == Transactional ? Transactional : Bulk;
}
