namespace ProMTA.Gateway;

public static class RequestLimits
{
    public const long MaxRequestBodyBytes = 256 * 1024;

    /// <summary>
    /// The public API takes small JSON documents: a declared body over the limit is a 413 problem before anything
    /// is proxied; Kestrel's own limit stops an undeclared (chunked) body that grows past it.
    /// </summary>
    public static IApplicationBuilder UseRequestSizeLimit(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.ContentLength > MaxRequestBodyBytes)
        {
            await Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large",
                detail: $"Requests are limited to {MaxRequestBodyBytes / 1024} KiB.").ExecuteAsync(http);
            return;
        }
        await next(http);
    });
}
