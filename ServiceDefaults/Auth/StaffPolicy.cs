using Microsoft.AspNetCore.Authorization;

namespace ProMTA.ServiceDefaults.Auth;

/// <summary>Staff routes (/api/admin/...) in any service: account managers and operators, or operators only.</summary>
public static class StaffPolicy
{
    public const string Name = "staff";
    public const string OperatorName = "operator";

    public static AuthorizationBuilder AddStaffPolicies(this AuthorizationBuilder authorization) =>
        authorization
            .AddPolicy(Name, policy => policy.RequireRole(Roles.AccountManager, Roles.Operator))
            .AddPolicy(OperatorName, policy => policy.RequireRole(Roles.Operator));
}
