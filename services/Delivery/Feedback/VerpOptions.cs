namespace ProMTA.Delivery.Feedback;

/// <summary>
/// The "Verp" section. With a <see cref="SigningKey"/>, every message leaves with a per-recipient return path on the
/// service's domain (<c>b+&lt;recipient&gt;-&lt;mac&gt;@domain</c>) so a bounce arriving days later at our inbound MX names
/// the recipient it is about; without one, the customer's own MAIL FROM is used and late bounces go to the customer.
/// </summary>
public sealed class VerpOptions
{
    /// <summary>The HMAC-SHA256 key that signs return paths (at least 32 characters; a secret, from the environment).</summary>
    public string? SigningKey { get; set; }
}
