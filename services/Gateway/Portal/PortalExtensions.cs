namespace ProMTA.Gateway.Portal;

/// <summary>
/// The customer portal: Razor Pages under Portal/Pages with small scripts (wwwroot/portal) that call the same public
/// /api routes as any client, with the access token kept in sessionStorage and sent as a bearer header. No cookie
/// authenticates anything, so there is nothing for a cross-site request to ride on (no CSRF); a strict
/// Content-Security-Policy (scripts from this origin only, no inline script) and DOM building through textContent
/// keep injected markup from running.
/// </summary>
public static class PortalExtensions
{
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IServiceCollection AddPortal(this IServiceCollection services)
    {
        services.AddRazorPages(options => options.RootDirectory = "/Portal/Pages");
        return services;
    }

    public static WebApplication MapPortal(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            if (!http.Request.Path.StartsWithSegments("/api") && !http.Request.Path.StartsWithSegments("/openapi"))
            {
                var headers = http.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "same-origin";
            }
            return next(http);
        });
        // Plain static files from wwwroot: the gateway runs from its build output (Aspire, tests) as well as published,
        // and static web asset manifests are only honoured in Development or when published.
        app.UseStaticFiles();
        app.MapRazorPages();
        return app;
    }
}
