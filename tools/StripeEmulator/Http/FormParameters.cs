using Microsoft.AspNetCore.WebUtilities;
using StripeEmulator.Errors;

namespace StripeEmulator.Http;

/// <summary>
/// The parameters of one Stripe API request, as Stripe.net sends them: form-encoded keys in
/// bracket notation (<c>metadata[order_id]=42</c>, <c>expand[0]=latest_charge</c>,
/// <c>invoice_settings[default_payment_method]=pm_…</c>). Body and query are merged because
/// Stripe.net puts GET parameters (expand) in the query and POST parameters in the body.
/// </summary>
public sealed class FormParameters
{
    private const string ItemsKey = "StripeEmulator.FormParameters";

    private readonly Dictionary<string, List<string>> _values;

    private FormParameters(Dictionary<string, List<string>> values) => _values = values;

    public static FormParameters Empty { get; } = new(new Dictionary<string, List<string>>(StringComparer.Ordinal));

    /// <summary>Lets minimal API handlers take <see cref="FormParameters"/> as a parameter.</summary>
    public static async ValueTask<FormParameters?> BindAsync(HttpContext context) => await ReadAsync(context);

    /// <summary>
    /// Reads the request once and caches it on the context, because the idempotency middleware
    /// fingerprints the same parameters before the endpoint consumes them.
    /// </summary>
    public static async Task<FormParameters> ReadAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(ItemsKey, out var cached) && cached is FormParameters parameters)
        {
            return parameters;
        }

        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        Add(values, context.Request.Query.Select(pair => (pair.Key, pair.Value)));
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            Add(values, form.Select(pair => (pair.Key, pair.Value)));
        }
        else if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            // Stripe only accepts form bodies; tolerate a missing content type the way curl sends it.
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            Add(values, QueryHelpers.ParseQuery(body).Select(pair => (pair.Key, pair.Value)));
        }

        parameters = new FormParameters(values);
        context.Items[ItemsKey] = parameters;
        return parameters;
    }


    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>The value of a scalar parameter, or null when it was not sent.</summary>
    public string? Get(string key) => _values.TryGetValue(key, out var list) ? list[^1] : null;

    /// <summary>The value of a scalar parameter, or null when it was not sent or sent empty.</summary>
    public string? GetNonEmpty(string key) => Get(key) is { Length: > 0 } value ? value : null;

    /// <summary>An update's new value of an optional field: unchanged when not sent, cleared when sent empty.</summary>
    public string? Updated(string key, string? current) => Has(key) ? GetNonEmpty(key) : current;

    /// <summary>The value of a parameter Stripe requires, or a <c>parameter_missing</c> error.</summary>
    public string Required(string key) =>
        Get(key) is { Length: > 0 } value ? value : throw StripeErrors.ParameterMissing(key);

    public long? GetLong(string key)
    {
        var raw = Get(key);
        if (raw is null)
        {
            return null;
        }

        return long.TryParse(raw, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw StripeErrors.InvalidRequest($"Invalid integer: {raw}", key);
    }

    public bool? GetBool(string key) => Get(key) switch
    {
        null => null,
        "true" => true,
        "false" => false,
        var raw => throw StripeErrors.InvalidRequest($"Invalid boolean: {raw}", key),
    };

    /// <summary>
    /// A one-level hash such as <c>metadata[…]</c>, or null when absent. An empty scalar
    /// (<c>metadata=</c>) is Stripe's way to say "clear it" and yields an empty dictionary.
    /// </summary>
    public IReadOnlyDictionary<string, string>? GetHash(string name)
    {
        var prefix = name + "[";
        Dictionary<string, string>? hash = null;
        foreach (var (key, list) in _values)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && key.EndsWith(']') && key.Length > prefix.Length + 1)
            {
                hash ??= new Dictionary<string, string>(StringComparer.Ordinal);
                hash[key[prefix.Length..^1]] = list[^1];
            }
        }

        if (hash is null && Get(name) == string.Empty)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return hash;
    }

    /// <summary>A list sent either as <c>name[]=a&amp;name[]=b</c> or <c>name[0]=a&amp;name[1]=b</c>.</summary>
    public IReadOnlyList<string> GetList(string name)
    {
        var items = new List<(int Index, string Value)>();
        if (_values.TryGetValue(name + "[]", out var unindexed))
        {
            items.AddRange(unindexed.Select((value, i) => (i, value)));
        }

        var prefix = name + "[";
        foreach (var (key, list) in _values)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && key.EndsWith(']')
                && int.TryParse(key.AsSpan(prefix.Length, key.Length - prefix.Length - 1), out var index))
            {
                items.Add((index, list[^1]));
            }
        }

        return items.OrderBy(item => item.Index).Select(item => item.Value).ToArray();
    }

    /// <summary>
    /// A stable text form of every parameter, so two requests with the same parameters in a
    /// different order compare equal when checking idempotency keys.
    /// </summary>
    public string Canonical() => string.Join('&', _values
        .OrderBy(pair => pair.Key, StringComparer.Ordinal)
        .SelectMany(pair => pair.Value.Select(value => $"{Uri.EscapeDataString(pair.Key)}={Uri.EscapeDataString(value)}")));

    private static void Add(Dictionary<string, List<string>> values, IEnumerable<(string Key, Microsoft.Extensions.Primitives.StringValues Values)> pairs)
    {
        foreach (var (key, stringValues) in pairs)
        {
            foreach (var value in stringValues)
            {
                Append(values, key, value ?? string.Empty);
            }
        }
    }

    private static void Append(Dictionary<string, List<string>> values, string key, string value)
    {
        if (!values.TryGetValue(key, out var list))
        {
            values[key] = list = [];
        }

        list.Add(value);
    }
}
