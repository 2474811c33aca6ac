namespace ProMTA.MailPolicy.Providers;

/// <summary>
/// The only limits an unmanaged relay keeps (rule 18: "no throttling at all, full speed"): they protect our own
/// servers and the customer from a runaway loop, not the ISP relationship.
/// </summary>
public sealed record SafetyCaps(double MaxRatePerMinute, int MaxConnections);
