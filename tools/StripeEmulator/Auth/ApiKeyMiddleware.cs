using System.Text;
using StripeEmulator.Errors;
using StripeEmulator.Http;

namespace StripeEmulator.Auth;

/// <summary>
/// Requires a test-mode secret key on every /v1 call, as Stripe does (Bearer, or Basic with
/// the key as user name the way curl -u sends it). Live keys are refused on purpose: a live
/// key reaching the emulator means a misconfigured environment that should fail loudly.
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next)
{
    private const string ItemsKey = "StripeEmulator.ApiKey";

    /// <summary>The caller's API key; idempotency keys are scoped by it like by a Stripe account.</summary>
    public static string GetApiKey(HttpContext context) =>
        context.Items.TryGetValue(ItemsKey, out var key) && key is string apiKey ? apiKey : string.Empty;

    public async Task InvokeAsync(HttpContext context)
    {
        var apiKey = ReadApiKey(context.Request.Headers.Authorization.ToString());
        if (string.IsNullOrEmpty(apiKey))
        {
            await StripeResults.WriteErrorAsync(context, StripeErrors.MissingApiKey());
            return;
        }

        if (!apiKey.StartsWith("sk_test_", StringComparison.Ordinal) && !apiKey.StartsWith("rk_test_", StringComparison.Ordinal))
        {
            await StripeResults.WriteErrorAsync(context, StripeErrors.InvalidApiKey(apiKey));
            return;
        }

        context.Items[ItemsKey] = apiKey;
        await next(context);
    }

    private static string? ReadApiKey(string authorization)
    {
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
                return decoded.Split(':', 2)[0];
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return null;
    }
}
