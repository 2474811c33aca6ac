using ProMTA.ScaleBenchmark;

// Scale proof (issue 20): seeds a fleet through the services' own code paths and measures one operation at that scale.
// Usage: ScaleBenchmark renewals [--services N] [--customers N] [--due N] [--workers N[,N...]] [--latency-ms N[,N...]]
//        ScaleBenchmark dns [--services N]   (PowerDNS from PDNS_API_URL, PDNS_API_KEY, PDNS_DNS_ENDPOINT)
//        ScaleBenchmark api-seed [--services N] [--customers N] [--messages N], then ScaleBenchmark api [--requests N] against the
//        services started on that database (ORDERING_URL, BILLING_URL, DELIVERY_URL, Auth__InternalSecret)
// The database comes from ConnectionStrings__promta (tools/scripts/scale-benchmark.sh starts a private PostgreSQL).
var options = BenchmarkOptions.Parse(args);
return options.Scenario switch
{
    "renewals" => await RenewalDay.RunAsync(options),
    "dns" => await DnsFleet.RunAsync(options),
    "api-seed" => await CustomerApiFleet.SeedAsync(options),
    "api" => await CustomerApiLatency.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ScaleBenchmark renewals [--services 20000] [--customers 10000] [--due 1000] [--workers 1] [--latency-ms 0]");
    Console.Error.WriteLine("       ScaleBenchmark dns [--services 20000]");
    Console.Error.WriteLine("       ScaleBenchmark api-seed [--services 20000] [--customers 10000] [--messages 10]; ScaleBenchmark api [--requests 1000]");
    return 2;
}
