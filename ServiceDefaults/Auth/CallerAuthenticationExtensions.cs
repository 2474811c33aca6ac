using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ProMTA.ServiceDefaults.Auth;

namespace Microsoft.Extensions.Hosting;

public static class CallerAuthenticationExtensions
{
    public const string SecretKey = "Auth:InternalSecret";

    /// <summary>The signer/validator of the gateway's caller header, from the platform's shared secret.</summary>
    public static IServiceCollection AddCallerToken(this IServiceCollection services, IConfiguration configuration)
    {
        var secret = configuration[SecretKey];
        if (string.IsNullOrEmpty(secret) || secret.Length < 32)
        {
            throw new InvalidOperationException($"{SecretKey} must be set to a secret of at least 32 characters");
        }
        return services.AddSingleton(new CallerToken(secret));
    }

    /// <summary>Services behind the gateway: the caller is whoever the gateway's signed header says.</summary>
    public static IHostApplicationBuilder AddGatewayCallerAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddCallerToken(builder.Configuration);
        builder.Services.AddAuthentication(GatewayCallerHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, GatewayCallerHandler>(GatewayCallerHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddStaffPolicies();
        return builder;
    }
}
