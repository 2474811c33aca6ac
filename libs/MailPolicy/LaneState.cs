namespace ProMTA.MailPolicy;

/// <summary>
/// What one source IP x provider lane has learned, in a form that can be stored and given back to a controller
/// (after a restart, or to a new replica) with <see cref="ThrottleController.RestoreLane"/>.
/// </summary>
/// <param name="RatePerMinute">The allowed rate.</param>
/// <param name="Connections">The allowed concurrent connections.</param>
/// <param name="LastThrottledRate">Where the ISP last pushed back (the recovery target), or null.</param>
/// <param name="SuspendedUntil">The end of a reputation suspension, or null.</param>
/// <param name="ProbeCredit">
/// The probe credit the lane had saved (<see cref="Shaping.ShapingPolicy.ProbeBudget"/>): without it a restarted lane
/// could not probe above its rate until it had sent another hundred messages, so a limit raised meanwhile went unfound.
/// </param>
public sealed record LaneState(
    string SourceIp, string Provider, double RatePerMinute, int Connections, double? LastThrottledRate, DateTimeOffset? SuspendedUntil, double ProbeCredit = 0);
