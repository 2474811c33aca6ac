namespace ProMTA.EndToEnd.HostileInput;

/// <summary>What a hostile or careless client sends: control characters, huge and tiny numbers, wrong types, odd text.</summary>
public static class HostileValues
{
    /// <summary>Raw JSON values, put in place of one field of an otherwise plausible body.</summary>
    public static readonly IReadOnlyList<(string Label, string Json)> Json =
    [
        ("NUL", "\"a\\u0000b\""),
        ("bell", "\"\\u0007\""),
        ("100 KB string", "\"" + new string('y', 100_000) + "\""),
        ("unicode", "\"Zoë 🚀 \\u202e ﷽ 𝕏 \\u0301\""),
        ("lone surrogate", "\"\\ud800\""),
        ("SQL", "\"'; DROP TABLE customers; --\""),
        ("SQL like", "\"%' OR '1'='1\""),
        ("bad GUID", "\"not-a-guid\""),
        ("empty GUID", "\"00000000-0000-0000-0000-000000000000\""),
        ("empty string", "\"\""),
        ("minus one", "-1"),
        ("zero", "0"),
        ("int max + 1", "2147483648"),
        ("int min - 1", "-2147483649"),
        ("long max + 1", "9223372036854775808"),
        ("1e308", "1e308"),
        ("fraction", "1.5"),
        ("number as string", "\"2147483647\""),
        ("date far future", "\"9999-12-31T23:59:59Z\""),
        ("date far past", "\"0001-01-01T00:00:00Z\""),
        ("true", "true"),
        ("null", "null"),
        ("object", "{}"),
        ("array", "[]"),
        ("array with NUL", "[\"\\u0000\"]"),
    ];

    /// <summary>Whole bodies: not JSON, the wrong shape, too deep, too large.</summary>
    public static readonly IReadOnlyList<(string Label, string Body, string ContentType)> Bodies =
    [
        ("truncated JSON", "{\"a\":", "application/json"),
        ("JSON null", "null", "application/json"),
        ("JSON array", "[1,2]", "application/json"),
        ("JSON string", "\"x\"", "application/json"),
        ("empty", "", "application/json"),
        ("deep nesting", new string('[', 5000) + new string(']', 5000), "application/json"),
        ("1 MB", "{\"x\":\"" + new string('x', 1_048_576) + "\"}", "application/json"),
        ("text/plain", "{}", "text/plain"),
        ("form", "a=b", "application/x-www-form-urlencoded"),
    ];

    /// <summary>Already URL-encoded route or query values.</summary>
    public static readonly IReadOnlyList<string> Url =
    [
        "%00", "a%00b", "%07", new('x', 3000), "-1", "0", "2147483647", "99999999999999999999", "1e308",
        "'%3B%20DROP%20TABLE%20customers%3B--", "%F0%9F%9A%80", "%ED%A0%80", "%FF", "not-a-guid",
        "00000000-0000-0000-0000-000000000000", "..%2F..%2Fetc%2Fpasswd", "%25", "true", "%20",
    ];

    /// <summary>Header values HttpClient can send at all (ASCII without control characters).</summary>
    public static readonly IReadOnlyList<string> Header = [new('k', 10_000), "'; DROP TABLE orders; --", "", " ", "%00"];

    /// <summary>Junk credentials: nothing here may authenticate or reach a 5xx.</summary>
    public static readonly IReadOnlyList<string> Authorization =
        ["Bearer pmk_" + new string('a', 40), "Bearer pat_x.y.z.w", "Bearer " + new string('b', 600), "Basic YTpi", "Bearer", "Bearer pmk_' OR 1=1 --"];
}
