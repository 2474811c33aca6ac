namespace StripeEmulator.Http;

/// <summary>
/// Adds the headers every real Stripe response carries. Stripe.net surfaces <c>Request-Id</c>
/// in StripeResponse and exceptions, which makes emulator logs line up with client logs.
/// </summary>
public sealed class StripeHeadersMiddleware(RequestDelegate next)
{
    private const string ItemsKey = "StripeEmulator.RequestId";

    public static string GetRequestId(HttpContext context) =>
        context.Items.TryGetValue(ItemsKey, out var id) && id is string requestId ? requestId : "req_unknown";

    public Task InvokeAsync(HttpContext context)
    {
        var requestId = StripeIds.New("req");
        context.Items[ItemsKey] = requestId;
        context.Response.Headers["Request-Id"] = requestId;
        context.Response.Headers["Stripe-Version"] = StripeApiVersion.Current;
        var idempotencyKey = context.Request.Headers[StripeRequestContext.IdempotencyKeyHeader];
        if (idempotencyKey.Count > 0)
        {
            context.Response.Headers[StripeRequestContext.IdempotencyKeyHeader] = idempotencyKey;
        }

        return next(context);
    }
}
