namespace ProMTA.ServiceDefaults.Auth;

/// <summary>
/// The roles of a customer account's team members (docs/teams.md). The values travel in the caller token and are
/// stored (ordering.customers.team_role), so they never change.
/// </summary>
public static class TeamRoles
{
    /// <summary>Everything, including who owns the account.</summary>
    public const string Owner = "owner";

    /// <summary>Everything except making owners and removing an owner.</summary>
    public const string Admin = "admin";

    /// <summary>Reads everything; acts only on billing (card, invoices, billing profile, credit notes).</summary>
    public const string Billing = "billing";

    /// <summary>Reads everything, changes nothing but their own login and API keys.</summary>
    public const string ReadOnly = "read-only";

    public static readonly IReadOnlyList<string> All = [Owner, Admin, Billing, ReadOnly];

    public static bool IsKnown(string? role) => role is Owner or Admin or Billing or ReadOnly;

    /// <summary>Whether a member of <paramref name="role"/> may make a change of <paramref name="kind"/>.</summary>
    public static bool MayChange(string role, RouteKind kind) => kind switch
    {
        RouteKind.Self => true,
        RouteKind.Billing => role is Owner or Admin or Billing,
        _ => role is Owner or Admin,
    };
}
