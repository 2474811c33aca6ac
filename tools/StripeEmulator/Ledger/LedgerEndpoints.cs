using System.Text.Json;

namespace StripeEmulator.Ledger;

/// <summary>Emulator-only endpoints (no API key needed) that let tests inspect what was charged.</summary>
public static class LedgerEndpoints
{
    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IEndpointRouteBuilder MapLedgerEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/_emulator/ledger", (Store.EmulatorStore store) =>
        {
            var entries = store.Ledger.All();
            return Results.Json(new { @object = "list", data = entries }, SnakeCase);
        });
        return routes;
    }
}
