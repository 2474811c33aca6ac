using System.Diagnostics;
using Npgsql;
using ProMTA.ServiceDefaults.Data;

namespace ProMTA.ServiceDefaults.Messaging.Flow;

/// <summary>
/// One consume attempt under way, handed to the consumer as a payload of its ConsumeContext: the consumer's unit of work
/// (Database.BeginConsumeAsync) writes the attempt's record as its last statement, so an attempt whose work commits costs
/// no transaction of its own (one per consumed message in every service before). What no transaction wrote, the recorder
/// writes on its own connection (<see cref="ConsumeRecorderFilter{T}"/>).
/// </summary>
internal sealed class AttemptRecording(ConsumeAttempt attempt, Stopwatch clock) : ICommitParticipant
{
    /// <summary>How long after its start the attempt's record committed with the consumer's work; null until it did.</summary>
    public TimeSpan? CommittedAfter { get; private set; }

    public ConsumeAttempt Ended(TimeSpan duration, Exception? fault) => attempt with
    {
        Duration = duration,
        Status = fault is null ? ConsumeAttempt.Consumed : ConsumeAttempt.Faulted,
        Error = fault is null ? null : $"{fault.GetType().Name}: {fault.Message}",
    };

    // A consumer that commits twice in one attempt (two units of work) counts one attempt, with the later duration.
    public Task BeforeCommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction) =>
        ConsumedMessages.WriteAsync(connection, transaction, Ended(clock.Elapsed, null), newAttempt: CommittedAfter is null);

    public void Committed() => CommittedAfter = clock.Elapsed;
}
