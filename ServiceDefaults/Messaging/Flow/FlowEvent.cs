namespace ProMTA.ServiceDefaults.Messaging.Flow;

/// <summary>
/// One step of an order's message flow. <c>Published</c>: an outbox row of <see cref="Service"/> (status Pending or
/// Relayed, <see cref="DurationMs"/> from commit to relay). <c>Consumed</c>: a consumer's handling (status Consumed or
/// Faulted, the last attempt's duration, <see cref="Retries"/> after the first attempt, <see cref="Fault"/> the last
/// exception an attempt threw, kept when a retry then succeeded).
/// </summary>
public sealed record FlowEvent(
    DateTimeOffset At, string Service, string Kind, string MessageType, Guid MessageId, string? Consumer,
    string? TraceId, double? DurationMs, int Retries, string Status, string? Fault)
{
    public const string Published = "Published";
    public const string Consumed = "Consumed";
}

/// <summary>
/// An order's flow across services in time order; <see cref="Unavailable"/> names services that did not answer (their
/// events are missing), <see cref="PeerErrors"/> says why.
/// </summary>
public sealed record OrderFlow(
    Guid OrderId, Guid ServiceId, string? TraceId, IReadOnlyList<FlowEvent> Events, IReadOnlyList<string> Unavailable,
    IReadOnlyList<ProMTA.ServiceDefaults.Http.PeerError> PeerErrors);
