namespace StripeEmulator.Http;

/// <summary>
/// Stripe.net builds URLs as apiBase + "/v1/…", so an apiBase with a trailing slash (as
/// endpoint URLs handed out by Aspire often have) produces "//v1/…". Collapsing the slashes
/// before routing accepts it, instead of failing with an opaque empty-response error.
/// </summary>
public sealed class DoubleSlashMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path is not null && path.Contains("//", StringComparison.Ordinal))
        {
            while (path.Contains("//", StringComparison.Ordinal))
            {
                path = path.Replace("//", "/", StringComparison.Ordinal);
            }

            context.Request.Path = new PathString(path);
        }

        return next(context);
    }
}
