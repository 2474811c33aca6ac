namespace StripeEmulator.Errors;

/// <summary>The error responses Stripe gives, with its wording and status codes.</summary>
public static class StripeErrors
{
    public const string InvalidRequestError = "invalid_request_error";
    public const string CardError = "card_error";
    public const string IdempotencyError = "idempotency_error";
    public const string ApiError = "api_error";

    /// <summary>A missing object: 404 when it is the URL's subject, 400 when it was a parameter.</summary>
    public static StripeErrorException ResourceMissing(string objectName, string id, string? param = null) =>
        new(param is null ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest,
            new StripeError(InvalidRequestError, $"No such {objectName}: '{id}'")
            {
                Code = "resource_missing",
                Param = param ?? "id",
            });

    public static StripeErrorException ParameterMissing(string param) =>
        new(StatusCodes.Status400BadRequest,
            new StripeError(InvalidRequestError, $"Missing required param: {param}.")
            {
                Code = "parameter_missing",
                Param = param,
            });

    public static StripeErrorException InvalidRequest(string message, string? param = null, string? code = null) =>
        new(StatusCodes.Status400BadRequest, new StripeError(InvalidRequestError, message) { Param = param, Code = code });

    public static StripeErrorException Idempotency(string key) =>
        new(StatusCodes.Status400BadRequest,
            new StripeError(IdempotencyError,
                $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."));

    public static StripeErrorException MissingApiKey() =>
        new(StatusCodes.Status401Unauthorized,
            new StripeError(InvalidRequestError,
                "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/."));

    public static StripeErrorException InvalidApiKey(string key) =>
        new(StatusCodes.Status401Unauthorized,
            new StripeError(InvalidRequestError, $"Invalid API Key provided: {Redact(key)}") { Code = "api_key_invalid" });

    public static StripeErrorException UnrecognizedUrl(string method, string path) =>
        new(StatusCodes.Status404NotFound,
            new StripeError(InvalidRequestError,
                $"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."));

    public static StripeErrorException Internal() =>
        new(StatusCodes.Status500InternalServerError,
            new StripeError(ApiError, "An unexpected error occurred in the Stripe emulator. See its log for details."));

    private static string Redact(string key) =>
        key.Length <= 8 ? "****" : $"{key[..Math.Min(8, key.Length - 4)]}****{key[^4..]}";
}
