namespace ProMTA.Billing.Invoices;

/// <summary>One line of a document: what, which period, and its amounts in cents.</summary>
public sealed record DocumentLine(string Description, string Period, long NetMinor, decimal VatRate, long VatMinor);

/// <summary>What an invoice or credit note prints, whichever it is: <see cref="DocumentPdf"/> lays it out.</summary>
public sealed record BillingDocument(
    string Title, string Number, IReadOnlyList<(string Label, string Value)> Facts, Party Seller, Party Buyer, IReadOnlyList<DocumentLine> Lines,
    string Currency, long NetMinor, decimal VatRate, long VatMinor, long GrossMinor, IReadOnlyList<string> Notes);
