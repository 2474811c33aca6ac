using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Ordering.Data;

namespace ProMTA.Ordering.Apis;

public sealed record Money(decimal Amount, string Currency)
{
    public static Money FromMinor(long minor, string currency) => new(minor / 100m, currency);
}

public sealed record ProductDto(string Id, string Name, string Description, Money MonthlyPrice, int Ips)
{
    public static ProductDto From(ProductRow p) => new(p.Id, p.Name, p.Description, Money.FromMinor(p.MonthlyPriceMinor, p.Currency), p.DedicatedIps);
}

public static class CatalogApi
{
    public static RouteGroupBuilder MapCatalogApi(this RouteGroupBuilder api)
    {
        api.MapGet("/products", ListAsync);
        return api;
    }

    public static async Task<Ok<IEnumerable<ProductDto>>> ListAsync(ProductRepository products, CancellationToken ct) =>
        TypedResults.Ok((await products.ListAsync(ct)).Select(ProductDto.From));
}
