using System.Globalization;

namespace ProMTA.Delivery.History;

/// <summary>
/// The buckets a history request covers: <see cref="From"/> and <see cref="To"/> aligned down to whole steps in UTC,
/// <see cref="To"/> exclusive. Parsed from the query string with field-level messages for a 400.
/// </summary>
public sealed record HistoryRange(DateTimeOffset From, DateTimeOffset To, string Step)
{
    public const string Minute = "minute";
    public const string Hour = "hour";
    public const string Day = "day";
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    public TimeSpan Width => WidthOf(Step);

    public int BucketCount => (int)((To - From).Ticks / Width.Ticks);

    public IEnumerable<DateTimeOffset> Buckets()
    {
        for (var at = From; at < To; at += Width) yield return at;
    }

    private static TimeSpan WidthOf(string step) => step switch
    {
        Minute => TimeSpan.FromMinutes(1),
        Hour => TimeSpan.FromHours(1),
        _ => TimeSpan.FromDays(1),
    };

    /// <summary>
    /// from and to default to the last 24 hours and step to hour. A range that is empty, reversed, in the future by
    /// more than one step or longer than <paramref name="maxBuckets"/> buckets is refused.
    /// </summary>
    public static (HistoryRange? Range, Dictionary<string, string[]> Errors) Parse(string? from, string? to, string? step, DateTimeOffset now, int maxBuckets)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var unit = string.IsNullOrEmpty(step) ? Hour : step;
        if (unit is not (Minute or Hour or Day)) errors["step"] = ["step must be minute, hour or day."];
        var end = ParseInstant("to", to, now, errors);
        var start = ParseInstant("from", from, (end ?? now) - DefaultWindow, errors);
        if (errors.Count > 0) return (null, errors);

        var width = WidthOf(unit);
        var alignedFrom = Floor(start!.Value, width);
        // to is exclusive: the bucket holding "to" counts when to is not on a boundary.
        var alignedTo = Floor(end!.Value, width) == end.Value ? end.Value : Floor(end.Value, width) + width;
        if (alignedTo <= alignedFrom) errors["to"] = ["to must be later than from."];
        else if (alignedFrom > now + width) errors["from"] = ["from must not be in the future."];
        else if ((alignedTo - alignedFrom).Ticks / width.Ticks > maxBuckets)
        {
            errors["step"] = [$"The range holds more than {maxBuckets} {unit}s; choose a shorter range or a larger step."];
        }
        return errors.Count > 0 ? (null, errors) : (new HistoryRange(alignedFrom, alignedTo, unit), errors);
    }

    private static DateTimeOffset? ParseInstant(string field, string? value, DateTimeOffset fallback, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value)) return fallback;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant)
            && instant.Year is >= 2000 and <= 9000)
        {
            return instant;
        }
        errors[field] = [$"{field} must be an ISO 8601 date and time such as 2026-12-05T14:00:00Z."];
        return null;
    }

    private static DateTimeOffset Floor(DateTimeOffset at, TimeSpan width) =>
        new(at.UtcTicks - at.UtcTicks % width.Ticks, TimeSpan.Zero);
}
