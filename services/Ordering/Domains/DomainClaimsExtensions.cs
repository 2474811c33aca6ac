using Microsoft.Extensions.Options;

namespace ProMTA.Ordering.Domains;

public static class DomainClaimsExtensions
{
    /// <summary>Sending-domain claims: the rules (with the public suffix list read once) and the expiry of undelegated claims.</summary>
    public static IHostApplicationBuilder AddDomainClaims(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DomainClaimOptions>().BindConfiguration("Domains")
            .Validate(o => o.PendingLifetime > TimeSpan.Zero && o.ExpiryCheckInterval > TimeSpan.Zero, "Domains:PendingLifetime and ExpiryCheckInterval must be positive")
            .Validate(o => File.Exists(o.PublicSuffixList), "Domains:PublicSuffixList must name the public suffix list (Debian's publicsuffix package)")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => PublicSuffixList.Load(sp.GetRequiredService<IOptions<DomainClaimOptions>>().Value.PublicSuffixList));
        builder.Services.AddSingleton<DomainRules>();
        builder.Services.AddSingleton<DomainClaimExpiry>();
        builder.Services.AddHostedService<DomainClaimExpiryJob>();
        return builder;
    }
}
