using ProMTA.Ports;

namespace ProMTA.AppHost.Infrastructure;

/// <summary>
/// The port each server and service listens on itself: configured, or a free one picked once per run. Nothing goes
/// through Aspire's DCP proxy: a proxy in front of a server that is restarted (the fault injection run's RabbitMQ,
/// Ordering) twice kept its clients from the new process for minutes - a MassTransit bus that never finished starting,
/// a health check that never got through - and it copied every database, broker and HTTP round trip of a local run once
/// more. A port fixed for the run is also what a restart needs: the clients' connection strings keep pointing at it.
/// </summary>
public static class LocalPorts
{
    /// <summary>The configured port under <paramref name="key"/>, else a port free on 127.0.0.1 now and not handed out before.</summary>
    public static int Get(IConfiguration configuration, string key) => configuration.GetValue<int?>(key) ?? PortPicker.Next();
}
