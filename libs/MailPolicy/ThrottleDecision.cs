namespace ProMTA.MailPolicy;

/// <summary>Why a send was allowed or refused.</summary>
public enum ThrottleReason
{
    /// <summary>Go.</summary>
    Allowed,

    /// <summary>The lane's rate is used up for now.</summary>
    RateLimit,

    /// <summary>This IP x provider is suspended after a reputation or blocklist answer.</summary>
    IpSuspended,

    /// <summary>This tenant x provider is suspended (authentication failure, bounce or complaint rate).</summary>
    TenantSuspended,

    /// <summary>The destination could not be reached repeatedly; paused.</summary>
    DestinationBackoff,

    /// <summary>The warming IP used today's volume for this provider; the overflow waits in the queue.</summary>
    WarmUpCap,

    /// <summary>An unmanaged relay hit a hard safety cap.</summary>
    SafetyCap,
}

/// <summary>The answer to <see cref="ThrottleController.TryAcquire(string, string, string, DateTimeOffset)"/>.</summary>
/// <param name="Allowed">True: send now (the permit is already counted).</param>
/// <param name="Reason">Why.</param>
/// <param name="NextSendTime">When to ask again for this lane (now when allowed).</param>
public readonly record struct ThrottleDecision(bool Allowed, ThrottleReason Reason, DateTimeOffset NextSendTime);
