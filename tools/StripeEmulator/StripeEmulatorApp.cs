using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace StripeEmulator;

/// <summary>
/// Builds and starts the emulator. Program.cs uses <see cref="Build"/>; tests and tools use
/// <see cref="StartAsync"/> to run a real Kestrel instance in-process on a URL of their choice.
/// </summary>
public static class StripeEmulatorApp
{
    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            // Fixed so that configuration and logging categories are the emulator's own even
            // when it is hosted inside another process (a test run).
            ApplicationName = typeof(StripeEmulatorApp).Assembly.GetName().Name,
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddStripeEmulator();
        var app = builder.Build();
        app.UseStripeEmulator();
        return app;
    }

    /// <summary>
    /// Starts the emulator on <paramref name="url"/> (port 0 picks a free port; read the real
    /// one with <see cref="GetBaseAddress"/>). Dispose the returned app to stop it.
    /// </summary>
    public static async Task<WebApplication> StartAsync(
        string url,
        IReadOnlyDictionary<string, string?>? settings = null,
        CancellationToken cancellationToken = default)
    {
        var app = Build([], settings);
        app.Urls.Clear();
        app.Urls.Add(url);
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>The address Kestrel actually listens on, for use as Stripe.net's apiBase.</summary>
    public static Uri GetBaseAddress(this WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        return new Uri(addresses.Addresses.First());
    }
}
