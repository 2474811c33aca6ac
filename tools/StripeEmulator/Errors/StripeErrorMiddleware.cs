using StripeEmulator.Http;

namespace StripeEmulator.Errors;

/// <summary>
/// Turns <see cref="StripeErrorException"/> into Stripe's error JSON. It runs inside the
/// idempotency middleware so that a card decline (402) is stored and replayed like Stripe does.
/// Anything unexpected becomes a 500 <c>api_error</c>, which Stripe.net knows how to parse.
/// </summary>
public sealed class StripeErrorMiddleware(RequestDelegate next, ILogger<StripeErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (StripeErrorException error) when (!context.Response.HasStarted)
        {
            await StripeResults.WriteErrorAsync(context, error);
        }
        catch (Exception exception) when (!context.Response.HasStarted && exception is not OperationCanceledException)
        {
            logger.LogError(exception, "Unhandled error serving {Method} {Path}", context.Request.Method, context.Request.Path);
            await StripeResults.WriteErrorAsync(context, StripeErrors.Internal());
        }
    }
}
