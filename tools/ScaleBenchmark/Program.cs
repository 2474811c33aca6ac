using ProMTA.ScaleBenchmark;

// Scale proof (issue 20): seeds a fleet through the services' own code paths and measures one operation at that scale.
// Usage: ScaleBenchmark renewals [--services N] [--customers N] [--due N] [--workers N[,N...]] [--latency-ms N[,N...]]
//        ScaleBenchmark dns [--services N]   (PowerDNS from PDNS_API_URL, PDNS_API_KEY, PDNS_DNS_ENDPOINT)
// The database comes from ConnectionStrings__promta (tools/scripts/scale-benchmark.sh starts a private PostgreSQL).
var options = BenchmarkOptions.Parse(args);
return options.Scenario switch
{
    "renewals" => await RenewalDay.RunAsync(options),
    "dns" => await DnsFleet.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ScaleBenchmark renewals [--services 20000] [--customers 10000] [--due 1000] [--workers 1] [--latency-ms 0]");
    Console.Error.WriteLine("       ScaleBenchmark dns [--services 20000]");
    return 2;
}
