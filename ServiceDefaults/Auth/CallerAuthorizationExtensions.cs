using ProMTA.ServiceDefaults.Auth;

namespace Microsoft.AspNetCore.Builder;

public static class CallerAuthorizationExtensions
{
    /// <summary>Authentication, authorization and the team-role gate, in that order (every service's pipeline).</summary>
    public static WebApplication UseCallerAuthorization(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<TeamRoleGate>();
        return app;
    }
}
