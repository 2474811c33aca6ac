using ProMTA.ServiceDefaults.Auth;
namespace ProMTA.Ordering.Domain;

/// <summary>
/// The first staff account, so a fresh installation has someone who can see demo requests and review orders.
/// Its password comes from the environment (a generated local secret, or a secret store in production).
/// </summary>
public sealed class StaffBootstrapOptions
{
    public string? Email { get; set; }
    public string? Password { get; set; }
    public string Role { get; set; } = Roles.Operator;
}
