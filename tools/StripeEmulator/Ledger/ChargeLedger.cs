namespace StripeEmulator.Ledger;

/// <summary>Every charge attempt in order. Shares the store's lock (see EmulatorStore).</summary>
public sealed class ChargeLedger(object gate)
{
    private readonly List<LedgerEntry> _entries = [];

    public LedgerEntry Record(Func<long, LedgerEntry> create)
    {
        lock (gate)
        {
            var entry = create(_entries.Count + 1);
            _entries.Add(entry);
            return entry;
        }
    }

    /// <summary>Replaces an attempt's entry, e.g. when 3D Secure completes or a refund lands.</summary>
    public void Update(long sequence, Func<LedgerEntry, LedgerEntry> change)
    {
        lock (gate)
        {
            _entries[(int)sequence - 1] = change(_entries[(int)sequence - 1]);
        }
    }

    public LedgerEntry? FindByCharge(string chargeId)
    {
        lock (gate)
        {
            return _entries.Find(entry => entry.Charge == chargeId);
        }
    }

    public IReadOnlyList<LedgerEntry> All()
    {
        lock (gate)
        {
            return [.. _entries];
        }
    }
}
