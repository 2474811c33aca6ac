using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Billing.Data;
using ProMTA.Billing.Vat;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Billing.Apis;

public sealed record BillingProfileRequest(
    string? Company, string? AddressLine1, string? AddressLine2, string? PostalCode, string? City, string? Country, string? VatId, string? BillingEmail);

/// <param name="VatTreatment">What the next invoice will apply: Standard, ReverseCharge or OutsideScope.</param>
/// <param name="VatRate">The rate, in percent, the next invoice will charge.</param>
public sealed record BillingProfileDto(
    string Company, string AddressLine1, string? AddressLine2, string PostalCode, string City, string Country, string? VatId,
    string BillingEmail, DateTimeOffset UpdatedAt, string VatTreatment, decimal VatRate);

/// <summary>
/// The customer's billing profile: who invoices are made out to, where billing mail goes, and so which VAT applies.
/// It applies to invoices issued after it is saved; issued invoices keep the buyer they were issued to (rule 14).
/// Optional: without one, invoices name the account holder and charge the seller country's VAT.
/// </summary>
public static partial class BillingProfileApi
{
    public static RouteGroupBuilder MapBillingProfileApi(this RouteGroupBuilder api)
    {
        var profile = api.MapGroup("/account/billing-profile").RequireAuthorization();
        profile.MapGet("", GetAsync);
        profile.MapPut("", PutAsync).BillingAction();
        return api;
    }

    public static async Task<Results<Ok<BillingProfileDto>, NotFound>> GetAsync(ClaimsPrincipal user, Database db, VatRules vat, CancellationToken ct) =>
        await BillingProfileRepository.FindAsync(db, user.CustomerId(), ct) is { } profile ? TypedResults.Ok(Dto(profile, vat)) : TypedResults.NotFound();

    public static async Task<Results<Ok<BillingProfileDto>, ValidationProblem>> PutAsync(
        BillingProfileRequest request, ClaimsPrincipal user, Database db, VatRules vat, IVatIdCheck vatIds, TimeProvider time, CancellationToken ct)
    {
        var country = request.Country?.Trim().ToUpperInvariant();
        var vatId = string.IsNullOrWhiteSpace(request.VatId) ? null : VatIdFormat.Normalize(request.VatId);
        var validation = new Validation()
            .Required("company", request.Company, 200)
            .Required("addressLine1", request.AddressLine1, 200)
            .Optional("addressLine2", request.AddressLine2, 200)
            .Required("postalCode", request.PostalCode, 20)
            .Required("city", request.City, 100)
            .Required("country", country, 2)
            .Check("country", country is null || IsCountry(country), "country must be an ISO 3166 code of two letters, such as NL, DE or GR.")
            .Optional("vatId", vatId, 20)
            .Email("billingEmail", request.BillingEmail);
        if (validation.IsValid && vatId is not null && await vatIds.ProblemAsync(country!, vatId, ct) is { } problem)
        {
            validation.Check("vatId", false, problem);
        }
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        var profile = new BillingProfile(request.Company!.Trim(), request.AddressLine1!.Trim(), Blank(request.AddressLine2), request.PostalCode!.Trim(),
            request.City!.Trim(), country!, vatId, request.BillingEmail!.Trim(), time.GetUtcNow());
        await using var work = await db.BeginAsync(ct);
        await BillingProfileRepository.SaveAsync(work, user.CustomerId(), profile);
        await work.CommitAsync(ct);
        return TypedResults.Ok(Dto(profile, vat));
    }

    private static BillingProfileDto Dto(BillingProfile p, VatRules vat)
    {
        var decision = vat.Decide(p.Country, p.VatId);
        return new(p.Company, p.AddressLine1, p.AddressLine2, p.PostalCode, p.City, p.Country, p.VatId, p.BillingEmail, p.UpdatedAt,
            decision.Treatment, decision.RatePercent);
    }

    /// <summary>
    /// A real ISO 3166 country (ICU's region list), not just two letters: the country decides the VAT, and an unknown
    /// code would otherwise read as "outside the EU". EL and UK are VAT prefixes, not country codes.
    /// </summary>
    public static bool IsCountry(string code)
    {
        if (!CountryCode().IsMatch(code) || code is "EU" or "UN" or "EL" or "UK") return false;
        try
        {
            return new System.Globalization.RegionInfo(code).TwoLetterISORegionName == code;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryCode();
}
