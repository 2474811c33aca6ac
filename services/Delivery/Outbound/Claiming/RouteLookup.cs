namespace ProMTA.Delivery.Outbound.Claiming;

/// <summary>The route of every domain of a claim, looked up side by side (the resolver caches answers per TTL).</summary>
internal sealed class RouteLookup(MxResolver resolver)
{
    public async Task<Dictionary<string, Route>> ResolveAsync(IEnumerable<string> domains, CancellationToken ct)
    {
        var lookups = domains.Distinct(StringComparer.OrdinalIgnoreCase).Select(async domain =>
        {
            try
            {
                return (Domain: domain, Route: await resolver.ResolveAsync(domain, ct));
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // One domain's lookup failing (a resolver timeout) defers its recipients, not the whole claim.
                return (Domain: domain, Route: Route.Failed($"4.4.3 DNS lookup of {domain} failed: {ex.Message}", permanent: false));
            }
        });
        return (await Task.WhenAll(lookups)).ToDictionary(x => x.Domain, x => x.Route, StringComparer.OrdinalIgnoreCase);
    }
}
