using Microsoft.Extensions.Hosting;

namespace ProMTA.AppHost.Infrastructure;

public static class FaultInjection
{
    /// <summary>
    /// Hands the AppHost's "Faults" section (set only by the fault-injection tests, e.g. --Faults:TransientConsumerFailurePercent=10)
    /// to a service. The services accept it only in Development, so the service then runs in the AppHost's environment:
    /// a published (Production) AppHost can never switch faults on.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithFaultInjection(this IResourceBuilder<ProjectResource> service, IDistributedApplicationBuilder builder)
    {
        var faults = builder.Configuration.GetSection("Faults").AsEnumerable(makePathsRelative: true).Where(f => !string.IsNullOrEmpty(f.Value)).ToList();
        if (faults.Count == 0) return service;
        foreach (var (key, value) in faults)
        {
            service.WithEnvironment($"Faults__{key.Replace(":", "__", StringComparison.Ordinal)}", value);
        }
        return service.WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName);
    }
}
