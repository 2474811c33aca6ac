namespace ProMTA.Billing.Vat;

/// <summary>
/// Decides whether a VAT id may be used on invoices. The extension point for a registry lookup (the EU's VIES service,
/// HMRC's for GB): this machine reaches no outside service, so the one implementation here checks the format only,
/// and a real lookup is registered in its place where the network allows (keep the format check first: VIES is slow
/// and often down for a member state, so a production lookup should also record when and how it answered).
/// </summary>
public interface IVatIdCheck
{
    /// <summary>Null when <paramref name="vatId"/> (normalized) is acceptable for <paramref name="country"/>, else the reason.</summary>
    Task<string?> ProblemAsync(string country, string vatId, CancellationToken ct);
}

/// <summary>The format check of <see cref="VatIdFormat"/>; no registry lookup (none is reachable here).</summary>
public sealed class VatIdFormatCheck : IVatIdCheck
{
    public Task<string?> ProblemAsync(string country, string vatId, CancellationToken ct) => Task.FromResult(VatIdFormat.Problem(country, vatId));
}
