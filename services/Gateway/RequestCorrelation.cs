using System.Diagnostics;

namespace ProMTA.Gateway;

public static class RequestCorrelation
{
    public const string HeaderName = "X-Request-Id";

    /// <summary>
    /// Every request gets an id, the W3C trace id of its trace: returned to the client and forwarded to the
    /// services, so a support ticket quoting it leads straight to the trace in the dashboard. A client's own
    /// value is replaced: it could collide or be forged.
    /// </summary>
    public static IApplicationBuilder UseRequestCorrelation(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        var id = Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;
        http.Request.Headers[HeaderName] = id;
        http.Response.Headers[HeaderName] = id;
        return next(http);
    });
}
