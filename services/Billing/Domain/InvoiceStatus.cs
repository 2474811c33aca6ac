namespace ProMTA.Billing.Domain;

public static class InvoiceStatus
{
    public const string Open = nameof(Open);
    public const string Paid = nameof(Paid);
    public const string Void = nameof(Void);
    public const string Uncollectible = nameof(Uncollectible);
}

/// <summary>A period's own invoice (one per period, rule 9), or a plan change's proration within periods already paid.</summary>
public static class InvoiceKind
{
    public const string Period = nameof(Period);
    public const string Proration = nameof(Proration);
    /// <summary>One invoice for several services' periods on the customer's common billing day, a line per service.</summary>
    public const string Consolidated = nameof(Consolidated);
}
