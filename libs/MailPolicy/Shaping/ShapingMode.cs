namespace ProMTA.MailPolicy.Shaping;

/// <summary>The state of one source IP x provider lane, as shown to people and in metrics.</summary>
public enum ShapingMode
{
    /// <summary>Clean replies: the rate holds or grows.</summary>
    Normal,

    /// <summary>The ISP pushed back (or could not be reached): the rate was cut and climbs back gradually.</summary>
    Backoff,

    /// <summary>A reputation or blocklist answer: nothing is sent to this provider from this IP until the suspension ends.</summary>
    Suspended,

    /// <summary>A new or long-idle IP: a daily volume cap per provider applies on top of the rate.</summary>
    WarmingUp,
}
