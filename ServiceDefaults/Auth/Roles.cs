namespace ProMTA.ServiceDefaults.Auth;

public static class Roles
{
    public const string Customer = "customer";
    public const string AccountManager = "account-manager";
    public const string Operator = "operator";
}
