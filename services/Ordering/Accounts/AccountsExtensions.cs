using Microsoft.Extensions.Options;
using ProMTA.ServiceDefaults.Mail;

namespace ProMTA.Ordering.Accounts;

public static class AccountsExtensions
{
    /// <summary>Password reset and e-mail verification links, mailed through Accounts:Email (docs/portal.md).</summary>
    public static IHostApplicationBuilder AddAccountLinks(this IHostApplicationBuilder builder, string signingKey)
    {
        builder.AddSmarthost("Accounts:Email", "ProMTA <accounts@promta.local>");
        builder.Services.AddOptions<AccountLinkOptions>().BindConfiguration(AccountLinkOptions.Section)
            .Validate(o => o.ResetLifetime > TimeSpan.Zero && o.VerificationLifetime > TimeSpan.Zero && o.LinksPerHour > 0
                           && o.InvitationLifetime > TimeSpan.Zero && o.InvitationsPerHour > 0,
                "Accounts: ResetLifetime, VerificationLifetime, LinksPerHour, InvitationLifetime and InvitationsPerHour must be positive")
            .Validate<IOptions<SmarthostOptions>>((o, mail) => !mail.Value.Enabled || Uri.TryCreate(o.PortalUrl, UriKind.Absolute, out _),
                "Accounts:PortalUrl (the portal's public address the links point at) is required once Accounts:Email:SmartHost is set")
            .ValidateOnStart();
        builder.Services.AddSingleton(new AccountLinkTokens(signingKey));
        builder.Services.AddSingleton<AccountLinkIssuer>();
        builder.Services.AddSingleton<AccountLinkRedemption>();
        builder.AddSmarthostMailer<AccountMailer>();
        return builder;
    }
}
