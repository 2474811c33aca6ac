using System.Text.Json.Nodes;

namespace StripeEmulator.Http;

/// <summary>Small JSON pieces shared by several Stripe objects.</summary>
public static class JsonShapes
{
    public static JsonObject Metadata(IReadOnlyDictionary<string, string> metadata)
    {
        var json = new JsonObject();
        foreach (var (key, value) in metadata)
        {
            json[key] = value;
        }

        return json;
    }
}
