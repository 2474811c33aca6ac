using Microsoft.AspNetCore.Authentication;
using ProMTA.Gateway.Auth;
using ProMTA.Gateway.Portal;
using ProMTA.Gateway.RateLimits;
using ProMTA.ServiceDefaults.Http;

namespace ProMTA.Gateway;

public static class Extensions
{

    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddCallerToken(builder.Configuration);
        builder.Services.AddMemoryCache();
        builder.Services.AddHttpClient(BearerIntrospectionHandler.ClientName, http => http.BaseAddress = new Uri("http://ordering"))
            .AddRequestPathResilience();
        builder.Services.AddHttpClient(OpenApi.PublicApiDocument.HttpClientName);
        builder.Services.AddAuthentication(BearerIntrospectionHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerIntrospectionHandler>(BearerIntrospectionHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddPortal();
        builder.Services.AddGatewayRateLimiting();
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = RequestLimits.MaxRequestBodyBytes);
        // Routes live in appsettings.json: only the public API is routed, so the services' internal
        // endpoints (/internal/..., /health) are unreachable from outside.
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms(CallerHeaderTransform.Apply);
        return builder;
    }
}
