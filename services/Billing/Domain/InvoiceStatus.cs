namespace ProMTA.Billing.Domain;

public static class InvoiceStatus
{
    public const string Open = nameof(Open);
    public const string Paid = nameof(Paid);
    public const string Void = nameof(Void);
    public const string Uncollectible = nameof(Uncollectible);
}
