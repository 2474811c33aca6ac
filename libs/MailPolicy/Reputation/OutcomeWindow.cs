namespace ProMTA.MailPolicy.Reputation;

/// <summary>What an outcome counts as in a sliding window.</summary>
public enum OutcomeKind
{
    /// <summary>The ISP took the message.</summary>
    Accepted,

    /// <summary>A temporary refusal.</summary>
    Deferred,

    /// <summary>A hard bounce for the recipient.</summary>
    Bounced,

    /// <summary>Any other final refusal.</summary>
    Rejected,

    /// <summary>A feedback-loop complaint (not an attempt).</summary>
    Complaint,
}

/// <summary>Counts over a sliding window made of fixed buckets, so old outcomes age out without storing each one.</summary>
public sealed class OutcomeWindow(TimeSpan length, int buckets)
{
    private readonly long[,] _counts = new long[buckets, 5];
    private readonly long[] _bucketIndex = InitialIndexes(buckets);
    private readonly long _bucketTicks = Math.Max(1, length.Ticks / buckets);

    /// <summary>Adds one outcome at <paramref name="now"/>.</summary>
    public void Add(OutcomeKind kind, DateTimeOffset now, long count = 1)
    {
        var index = now.UtcTicks / _bucketTicks;
        var slot = (int)(index % buckets);
        if (_bucketIndex[slot] != index)
        {
            for (var k = 0; k < 5; k++) _counts[slot, k] = 0;
            _bucketIndex[slot] = index;
        }
        _counts[slot, (int)kind] += count;
    }

    /// <summary>The counts of the buckets still inside the window at <paramref name="now"/>.</summary>
    public OutcomeCounts Totals(DateTimeOffset now)
    {
        var current = now.UtcTicks / _bucketTicks;
        long accepted = 0, deferred = 0, bounced = 0, rejected = 0, complaints = 0;
        for (var slot = 0; slot < buckets; slot++)
        {
            var age = current - _bucketIndex[slot];
            if (age < 0 || age >= buckets) continue;
            accepted += _counts[slot, (int)OutcomeKind.Accepted];
            deferred += _counts[slot, (int)OutcomeKind.Deferred];
            bounced += _counts[slot, (int)OutcomeKind.Bounced];
            rejected += _counts[slot, (int)OutcomeKind.Rejected];
            complaints += _counts[slot, (int)OutcomeKind.Complaint];
        }
        return new OutcomeCounts(accepted + deferred + bounced + rejected, accepted, deferred, bounced, complaints);
    }

    /// <summary>
    /// The accepted outcomes added before <paramref name="cutoff"/> that are still inside the window at
    /// <paramref name="now"/>; the bucket holding the cutoff counts in proportion (sends spread evenly over a bucket).
    /// </summary>
    public double AcceptedBefore(DateTimeOffset cutoff, DateTimeOffset now)
    {
        var current = now.UtcTicks / _bucketTicks;
        var accepted = 0.0;
        for (var slot = 0; slot < buckets; slot++)
        {
            var age = current - _bucketIndex[slot];
            if (age < 0 || age >= buckets) continue;
            var start = _bucketIndex[slot] * _bucketTicks;
            // The current bucket holds sends up to now only.
            var end = Math.Min(start + _bucketTicks, now.UtcTicks);
            var share = end <= start ? 1 : Math.Clamp((double)(cutoff.UtcTicks - start) / (end - start), 0, 1);
            accepted += share * _counts[slot, (int)OutcomeKind.Accepted];
        }
        return accepted;
    }

    private static long[] InitialIndexes(int count)
    {
        var indexes = new long[count];
        Array.Fill(indexes, long.MinValue);
        return indexes;
    }
}
