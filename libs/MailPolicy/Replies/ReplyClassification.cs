namespace ProMTA.MailPolicy.Replies;

/// <summary>
/// The class a reply got, the rule that gave it (null when the fallback by reply code decided) and, from the same
/// rule, why its recipient bounced when the reply is final.
/// </summary>
public sealed record ReplyClassification(ReplyClass Class, ReplyRule? Rule)
{
    /// <summary>The rule's bounce class, else the default of <see cref="Class"/>.</summary>
    public BounceClass Bounce => Rule?.Bounce ?? BounceClasses.DefaultFor(Class);
}
