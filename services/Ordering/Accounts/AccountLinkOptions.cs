namespace ProMTA.Ordering.Accounts;

/// <summary>Accounts: the links mailed for a password reset or an e-mail verification (docs/portal.md).</summary>
public sealed class AccountLinkOptions
{
    public const string Section = "Accounts";

    /// <summary>The portal's public address the links point at (required once Accounts:Email:SmartHost is set).</summary>
    public string? PortalUrl { get; set; }

    /// <summary>How long a password-reset link works.</summary>
    public TimeSpan ResetLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a verification link works; the customer can ask for a new one from /account.</summary>
    public TimeSpan VerificationLifetime { get; set; } = TimeSpan.FromDays(3);

    /// <summary>
    /// Links of one kind mailed to one account per hour: past it a request still answers the same (nothing tells a
    /// stranger the account exists) but mails nothing, so nobody can flood a customer's mailbox through us.
    /// </summary>
    public int LinksPerHour { get; set; } = 3;

    /// <summary>How long a team invitation works (docs/teams.md).</summary>
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Invitations one account may send per hour: enough to bring a team in, too few to make us a spam relay.</summary>
    public int InvitationsPerHour { get; set; } = 20;
}
