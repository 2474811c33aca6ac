namespace ProMTA.ServiceDefaults.Messaging.DeadLetters;

/// <summary>A message in an _error queue, with what MassTransit's fault headers say about its last attempt.</summary>
public sealed record DeadLetter(
    Guid? MessageId, string? MessageType, string? ConsumerType, string? ExceptionType, string? ExceptionMessage, string? StackTrace,
    DateTimeOffset? FaultedAt, int? Retries, string Body);

/// <summary>
/// A service's non-empty _error queue: its depth and the first messages (up to the peek limit), oldest first.
/// <see cref="Queue"/> is the consumer's queue a replay returns messages to.
/// </summary>
public sealed record DeadLetterQueue(string Service, string Queue, string ErrorQueue, long Count, IReadOnlyList<DeadLetter> Messages);

/// <summary>
/// Every service's dead letters; <see cref="Unavailable"/> names services that did not answer (their queues are
/// missing from the total), <see cref="PeerErrors"/> says why.
/// </summary>
public sealed record DeadLetterReport(
    long Total, IReadOnlyList<DeadLetterQueue> Queues, IReadOnlyList<string> Unavailable, IReadOnlyList<ProMTA.ServiceDefaults.Http.PeerError> PeerErrors);

public sealed record ReplayResult(string ErrorQueue, Guid MessageId, string ReplayedTo);
