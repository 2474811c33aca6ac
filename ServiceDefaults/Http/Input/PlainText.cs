namespace ProMTA.ServiceDefaults.Http.Input;

/// <summary>
/// What any text the platform stores or passes on may contain. PostgreSQL refuses NUL (the 500 a NUL in a name used
/// to give), and an unpaired surrogate cannot be encoded as UTF-8 at all; other control characters have no place in
/// names, addresses or notes. Tabs and line breaks stay allowed for free text (special requirements, reasons).
/// </summary>
public static class PlainText
{
    /// <summary>The bound for a string that declares none ([MaxLength]/[StringLength]): no field of the API needs more.</summary>
    public const int DefaultMaxLength = 4000;

    /// <summary>Null when <paramref name="value"/> is acceptable text, else why not.</summary>
    public static string? Problem(string value, int maxLength)
    {
        if (value.Length > maxLength) return $"must be at most {maxLength} characters.";
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c)) return "must be valid Unicode text (it contains an unpaired surrogate).";
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return $"must not contain control characters (U+{(int)c:X4} at position {i}).";
            }
        }
        return null;
    }
}
