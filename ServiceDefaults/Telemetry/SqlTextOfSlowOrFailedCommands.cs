using System.Diagnostics;
using OpenTelemetry;

namespace ProMTA.ServiceDefaults.Telemetry;

/// <summary>
/// Keeps the SQL text (<c>db.query.text</c>) of an Npgsql command's span only when the command failed or took at least
/// <paramref name="slow"/>. Every command of a request or a consumed message makes a span, and its text was most of
/// what the exporter serialized and the dashboard stored for it (~6 % of Ordering's CPU under order load,
/// docs/operations.md "CPU per order"); the text of a fast, successful statement says nothing its parent span does not.
/// Runs before the exporter's processor, so the text is gone before the batch is serialized.
/// </summary>
public sealed class SqlTextOfSlowOrFailedCommands(TimeSpan slow) : BaseProcessor<Activity>
{
    public const string NpgsqlSourceName = "Npgsql";
    public const string QueryTextTag = "db.query.text";

    public override void OnEnd(Activity activity)
    {
        if (activity.Source.Name != NpgsqlSourceName || activity.Status == ActivityStatusCode.Error || activity.Duration >= slow)
        {
            return;
        }
        activity.SetTag(QueryTextTag, null);
    }
}
