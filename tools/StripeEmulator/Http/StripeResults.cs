using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using StripeEmulator.Errors;

namespace StripeEmulator.Http;

/// <summary>Writes Stripe-shaped JSON bodies (objects and <c>{"error":{…}}</c>).</summary>
public static class StripeResults
{
    public const string JsonContentType = "application/json";

    /// <summary>Stripe does not escape quotes or apostrophes in messages; neither do we, for readable logs.</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(JsonNode body) => body.ToJsonString(SerializerOptions);

    public static IResult Json(JsonNode body, int statusCode = StatusCodes.Status200OK) =>
        Results.Text(Serialize(body), JsonContentType, Encoding.UTF8, statusCode);

    public static Task WriteErrorAsync(HttpContext context, StripeErrorException error)
    {
        context.Response.StatusCode = error.StatusCode;
        context.Response.ContentType = JsonContentType;
        return context.Response.WriteAsync(Serialize(error.Error.ToEnvelope()), context.RequestAborted);
    }
}
