namespace StripeEmulator.Http;

/// <summary>Stripe's metadata rules: create ignores empty values, update merges and an empty value deletes.</summary>
public static class Metadata
{
    public static IReadOnlyDictionary<string, string> Empty { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public static IReadOnlyDictionary<string, string> ForCreate(FormParameters form) =>
        Merge(Empty, form.GetHash("metadata"));

    public static IReadOnlyDictionary<string, string> ForUpdate(IReadOnlyDictionary<string, string> existing, FormParameters form) =>
        Merge(existing, form.GetHash("metadata"));

    private static IReadOnlyDictionary<string, string> Merge(IReadOnlyDictionary<string, string> existing, IReadOnlyDictionary<string, string>? changes)
    {
        if (changes is null)
        {
            return existing;
        }

        if (changes.Count == 0)
        {
            return Empty; // "metadata=" clears every key.
        }

        var merged = new Dictionary<string, string>(existing, StringComparer.Ordinal);
        foreach (var (key, value) in changes)
        {
            if (value.Length == 0)
            {
                merged.Remove(key);
            }
            else
            {
                merged[key] = value;
            }
        }

        return merged;
    }
}
