namespace ProMTA.Contracts.Delivery;

/// <summary>
/// Our inbound MX accepted a report about mail a service sent, addressed to one of its hosted domains: a delivery status
/// notification (RFC 3464, <see cref="Kind"/> "dsn") or an ARF feedback report (RFC 5965, "arf"). Published once the
/// report is stored in Delivery's inbox (<see cref="InboundMessageId"/>).
/// </summary>
public sealed record InboundReportReceived
{
    public required Guid InboundMessageId { get; init; }
    public required Guid ServiceId { get; init; }
    /// <summary>"dsn" or "arf".</summary>
    public required string Kind { get; init; }
    /// <summary>The hosted domain the report was sent to.</summary>
    public required string Domain { get; init; }
    /// <summary>The recipients of the original mail the report is about (DSN: one per recipient group; ARF: Original-Rcpt-To).</summary>
    public required IReadOnlyList<ReportedRecipient> Recipients { get; init; }
    /// <summary>ARF only: abuse, fraud, virus, other, ...</summary>
    public string? FeedbackType { get; init; }
    /// <summary>The Message-ID of the original mail, when the report returned its headers.</summary>
    public string? OriginalMessageId { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
}

/// <summary>
/// One recipient a report is about; for a DSN its Action (failed, delayed, delivered, ...), Status (e.g. 5.1.1) and
/// Diagnostic-Code (the remote reply, e.g. "smtp; 550 5.1.1 user unknown").
/// </summary>
public sealed record ReportedRecipient
{
    public required string Address { get; init; }
    public string? Action { get; init; }
    public string? Status { get; init; }
    public string? Diagnostic { get; init; }
}
