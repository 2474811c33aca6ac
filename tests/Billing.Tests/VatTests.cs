using ProMTA.Billing.Vat;
using Xunit;

namespace ProMTA.Billing.Tests;

public sealed class VatTests
{
    private readonly VatRules rules = new(new VatOptions(), "NL");

    [Theory]
    [InlineData(null, null, VatTreatment.Standard, 21)] // no billing profile: the seller country's rate
    [InlineData("NL", "NL819504223B01", VatTreatment.Standard, 21)] // a business at home pays Dutch VAT
    [InlineData("DE", "DE123456789", VatTreatment.ReverseCharge, 0)] // an EU business abroad: reverse charge
    [InlineData("DE", null, VatTreatment.Standard, 19)] // no VAT id: the customer's country's rate
    [InlineData("FI", null, VatTreatment.Standard, 25.5)]
    [InlineData("US", "98-7654321", VatTreatment.OutsideScope, 0)] // outside the EU
    public void The_vat_of_an_invoice_follows_the_customers_country_and_vat_id(string? country, string? vatId, string treatment, double rate) =>
        Assert.Equal(new VatDecision(treatment, (decimal)rate), rules.Decide(country, vatId));

    [Theory]
    [InlineData(14900, 21, 3129)]
    [InlineData(999, 21, 210)] // 209.79 rounds up
    [InlineData(250, 19, 48)] // 47.5: half away from zero
    [InlineData(14900, 25.5, 3800)] // 3799.5
    [InlineData(14900, 0, 0)]
    public void Vat_is_computed_once_on_the_net_in_cents_rounded_half_away_from_zero(long net, double rate, long vat)
    {
        var amounts = VatRules.Charge(net, (decimal)rate);
        Assert.Equal((net, vat, net + vat), (amounts.NetMinor, amounts.VatMinor, amounts.GrossMinor));
    }

    [Fact]
    public void Credit_notes_split_like_their_invoice_and_add_up_to_it_exactly()
    {
        var first = VatRules.Credit(5000, 3129, 18029); // a partial refund of 50.00 of 180.29
        Assert.Equal((4132L, 868L), (first.NetMinor, first.VatMinor));
        var rest = VatRules.Credit(18029 - 5000, 3129, 18029);
        Assert.Equal(14900L, first.NetMinor + rest.NetMinor);
        Assert.Equal(3129L, first.VatMinor + rest.VatMinor);
        var whole = VatRules.Credit(18029, 3129, 18029);
        Assert.Equal((14900L, 3129L), (whole.NetMinor, whole.VatMinor));
        Assert.Equal((5000L, 0L), (VatRules.Credit(5000, 0, 14900).NetMinor, VatRules.Credit(5000, 0, 14900).VatMinor)); // reverse charged
    }

    [Theory]
    [InlineData("NL", true)]
    [InlineData("GR", true)]
    [InlineData("US", true)]
    [InlineData("XX", false)]
    [InlineData("EL", false)] // Greece's VAT prefix, not its country code
    [InlineData("EU", false)]
    [InlineData("nl", false)] // the API upper-cases first
    public void Only_real_iso_country_codes_are_accepted(string code, bool accepted) =>
        Assert.Equal(accepted, Apis.BillingProfileApi.IsCountry(code));

    [Theory]
    [InlineData("NL", "nl 8195.04.223 b01")]
    [InlineData("DE", "DE123456789")]
    [InlineData("AT", "ATU12345678")]
    [InlineData("GR", "EL123456789")] // Greece's VAT ids start with EL
    [InlineData("FR", "FRXX123456789")]
    [InlineData("IE", "IE1234567WA")]
    [InlineData("BE", "BE0123456789")]
    [InlineData("US", "98-7654321")] // outside the EU any tax number is kept as given
    public void Well_formed_vat_ids_pass_the_format_check(string country, string vatId) =>
        Assert.Null(VatIdFormat.Problem(country, VatIdFormat.Normalize(vatId)));

    [Theory]
    [InlineData("DE", "DE12345678", "not a well-formed VAT id of DE")]
    [InlineData("NL", "NL819504223", "not a well-formed VAT id of NL")]
    [InlineData("NL", "DE123456789", "starts with NL")]
    [InlineData("GR", "GR123456789", "starts with EL")]
    [InlineData("AT", "AT12345678", "not a well-formed VAT id of AT")]
    public void Malformed_vat_ids_are_refused_with_the_reason(string country, string vatId, string reason) =>
        Assert.Contains(reason, VatIdFormat.Problem(country, VatIdFormat.Normalize(vatId)));
}
