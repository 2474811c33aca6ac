using System.Globalization;
using System.Security.Claims;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Delivery.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http.Input;

namespace ProMTA.Delivery.Apis;

public sealed record SuppressionImportResponse(int Rows, int Added, int AlreadySuppressed);

/// <summary>
/// A service's suppression list as CSV (RFC 4180, written and read by CsvHelper): exported whole, imported all or
/// nothing. Columns: address, reason (HardBounce, Complaint, Manual, Unsubscribe), detail, created_at (ISO 8601 UTC);
/// an import needs the address column, its reason defaults to Manual.
/// </summary>
public static class SuppressionFilesApi
{
    /// <summary>Rows per import; a longer list goes in several files.</summary>
    public const int MaxImportRows = 50_000;
    private const int MaxReportedErrors = 20;

    public static IEndpointRouteBuilder MapSuppressionFilesApi(this IEndpointRouteBuilder app)
    {
        var files = app.MapGroup("/api/services/{serviceId:guid}/suppressions").RequireAuthorization();
        files.MapGet("/export", Export);
        files.MapPost("/import", Import).Accepts<string>("text/csv");
        return app;
    }

    private static async Task<Results<PushStreamHttpResult, NotFound>> Export(Guid serviceId, ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        return TypedResults.Stream(async body =>
        {
            await using var writer = new StreamWriter(body);
            await using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
            foreach (var name in new[] { "address", "reason", "detail", "created_at" }) csv.WriteField(name);
            await csv.NextRecordAsync();
            await foreach (var s in Suppressions.ExportAsync(db, serviceId, ct))
            {
                csv.WriteField(s.Address);
                csv.WriteField(s.Reason);
                csv.WriteField(s.Detail);
                csv.WriteField(s.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                await csv.NextRecordAsync();
            }
        }, "text/csv; charset=utf-8", $"suppressions-{serviceId:N}.csv");
    }

    private static async Task<Results<Ok<SuppressionImportResponse>, ValidationProblem, NotFound>> Import(
        Guid serviceId, HttpRequest request, ClaimsPrincipal user, Database db, TimeProvider time, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        var (rows, errors) = await ReadAsync(request.Body, ct);
        if (errors.Count > 0) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["csv"] = [.. errors] });
        var added = await Suppressions.ImportAsync(db, serviceId, rows, time.GetUtcNow(), ct);
        return TypedResults.Ok(new SuppressionImportResponse(rows.Count, added, rows.Count - added));
    }

    /// <summary>The rows, each address once (lower case), or why the file cannot be taken (the first errors, by line).</summary>
    private static async Task<(IReadOnlyList<(string Address, string Reason)> Rows, IReadOnlyList<string> Errors)> ReadAsync(Stream body, CancellationToken ct)
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new List<string>();
        using var reader = new StreamReader(body);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            PrepareHeaderForMatch = args => args.Header.Trim().ToLowerInvariant(),
            DetectDelimiter = true,
            BadDataFound = null,
        });
        try
        {
            if (!await csv.ReadAsync() || !csv.ReadHeader() || csv.HeaderRecord is null || !csv.HeaderRecord.Any(h => h.Trim().Equals("address", StringComparison.OrdinalIgnoreCase)))
            {
                return ([], ["The first line must be a header naming an \"address\" column (and optionally \"reason\")."]);
            }
            var hasReason = csv.HeaderRecord.Any(h => h.Trim().Equals("reason", StringComparison.OrdinalIgnoreCase));
            while (await csv.ReadAsync())
            {
                ct.ThrowIfCancellationRequested();
                var line = csv.Parser.RawRow;
                if (rows.Count + errors.Count >= MaxImportRows) return ([], [$"At most {MaxImportRows} rows per file."]);
                var address = csv.GetField("address")?.Trim() ?? "";
                var reasonText = hasReason ? csv.GetField("reason")?.Trim() ?? "" : "";
                var reason = reasonText.Length == 0 ? SuppressionReason.Manual
                    : SuppressionReason.All.FirstOrDefault(r => r.Equals(reasonText, StringComparison.OrdinalIgnoreCase));
                if (address.Length == 0 && reasonText.Length == 0) continue; // a blank line
                if (!EmailAddressSyntax.IsValid(address)) errors.Add($"line {line}: \"{Shorten(address)}\" is not an e-mail address.");
                else if (reason is null) errors.Add($"line {line}: reason must be one of {string.Join(", ", SuppressionReason.All)}.");
                else rows.TryAdd(address.ToLowerInvariant(), reason);
                if (errors.Count >= MaxReportedErrors) break;
            }
        }
        catch (CsvHelperException ex)
        {
            errors.Add($"The file is not valid CSV near line {ex.Context?.Parser?.RawRow}.");
        }
        return errors.Count > 0 ? ([], errors) : ([.. rows.Select(r => (r.Key, r.Value))], []);
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "...";
}
