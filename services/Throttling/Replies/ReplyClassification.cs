namespace ProMTA.Throttling.Replies;

/// <summary>The class a reply got and the rule that gave it (null when the fallback by reply code decided).</summary>
public sealed record ReplyClassification(ReplyClass Class, ReplyRule? Rule);
