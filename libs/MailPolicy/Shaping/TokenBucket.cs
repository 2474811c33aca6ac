namespace ProMTA.MailPolicy.Shaping;

/// <summary>Spaces sends at a rate with a small burst; time comes from the caller, so it runs on any clock.</summary>
internal sealed class TokenBucket(double ratePerMinute, double burstSeconds, DateTimeOffset now)
{
    private double _tokens = 1;
    private DateTimeOffset _updatedAt = now;

    public double RatePerMinute { get; private set; } = ratePerMinute;

    // One message plus the burst: a caller that asks only now and then (every second, say) must not lose the part of
    // a token that built up since its last send, or a lane allowed 115/min sends 60/min and a 19/min lane 15/min.
    private double Capacity => 1 + RatePerMinute / 60 * burstSeconds;

    public bool TryTake(DateTimeOffset now)
    {
        Refill(now);
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }

    /// <summary>A token taken for a message that never went: back in the bucket, never above its burst.</summary>
    public void Return(DateTimeOffset now)
    {
        Refill(now);
        _tokens = Math.Min(Capacity, _tokens + 1);
    }

    /// <summary>The tokens held now (a fraction while the next one builds up); takes none.</summary>
    public double Available(DateTimeOffset now)
    {
        Refill(now);
        return _tokens;
    }

    /// <summary>When the next token is there (now when one already is).</summary>
    public DateTimeOffset NextTokenAt(DateTimeOffset now)
    {
        Refill(now);
        if (_tokens >= 1) return now;
        var seconds = (1 - _tokens) * 60 / RatePerMinute;
        return now + TimeSpan.FromSeconds(seconds);
    }

    public void SetRate(double ratePerMinute, DateTimeOffset now)
    {
        Refill(now);
        RatePerMinute = ratePerMinute;
        // A lower rate must bite at once, not after the burst gathered at the old rate is spent.
        _tokens = Math.Min(_tokens, Capacity);
    }

    /// <summary>
    /// Spends what the bucket holds: the ISP that just refused has no room left either, so the next send waits a
    /// whole interval at the (new) rate instead of going at once and being refused again.
    /// </summary>
    public void Empty(DateTimeOffset now)
    {
        Refill(now);
        _tokens = Math.Min(_tokens, 0);
    }

    private void Refill(DateTimeOffset now)
    {
        if (now <= _updatedAt) return;
        _tokens = Math.Min(Capacity, _tokens + (now - _updatedAt).TotalSeconds * RatePerMinute / 60);
        _updatedAt = now;
    }
}
