namespace ProMTA.Contracts.Dns;

/// <summary>
/// The service's reverse DNS has not been seen by every configured resolver within the propagation window (24 h): an
/// alert for operators and on the order timeline. Checking goes on; <see cref="ReverseDnsPropagated"/> still follows
/// once it answers everywhere.
/// </summary>
public sealed record ReverseDnsPropagationDelayed
{
    public required Guid OrderId { get; init; }
    public required Guid ServiceId { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    public required int Attempts { get; init; }
    /// <summary>What did not answer at the last check, e.g. "PTR 2.1.0.127.in-addr.arpa. at 192.0.2.53:53".</summary>
    public required IReadOnlyList<string> Missing { get; init; }
    public required DateTimeOffset DelayedAt { get; init; }
}
