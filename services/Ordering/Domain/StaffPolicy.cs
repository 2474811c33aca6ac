using Microsoft.AspNetCore.Authorization;

namespace ProMTA.Ordering.Domain;

/// <summary>Staff routes (/api/admin/...): account managers and operators.</summary>
public static class StaffPolicy
{
    public const string Name = "staff";
    public const string OperatorName = "operator";

    public static AuthorizationBuilder AddStaffPolicy(this AuthorizationBuilder authorization) =>
        authorization
            .AddPolicy(Name, policy => policy.RequireRole(Roles.AccountManager, Roles.Operator))
            .AddPolicy(OperatorName, policy => policy.RequireRole(Roles.Operator));
}
