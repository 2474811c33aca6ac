namespace ProMTA.Billing;

public sealed class BillingOptions
{
    /// <summary>The business time zone of the billing calendar (rule 10).</summary>
    public string TimeZone { get; set; } = "Europe/Amsterdam";

    /// <summary>Where the customer lands after authenticating a payment with their bank (Stripe's return_url).</summary>
    public string PortalUrl { get; set; } = "http://localhost:8080";
}
