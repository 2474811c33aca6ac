using StripeEmulator.Charges;
using StripeEmulator.Checkout;
using StripeEmulator.Customers;
using StripeEmulator.Disputes;
using StripeEmulator.Ledger;
using StripeEmulator.PaymentIntents;
using StripeEmulator.PaymentMethods;
using StripeEmulator.Refunds;
using StripeEmulator.SetupIntents;

namespace StripeEmulator.Store;

/// <summary>
/// All emulator state, in memory, behind one lock. One lock is plenty for a test double and
/// makes read-check-write sequences (confirming a PaymentIntent, refunding a charge) atomic,
/// so two concurrent confirmations can never charge twice.
/// </summary>
public sealed class EmulatorStore
{
    // Monitor is re-entrant, so table calls made inside Atomically simply nest.
    private readonly object _gate = new();

    public EmulatorStore()
    {
        // The names Stripe's "No such …" errors use (PaymentMethod is spelled that way there).
        Customers = new EntityTable<Customer>(_gate, "customer");
        PaymentMethods = new EntityTable<PaymentMethod>(_gate, "PaymentMethod");
        PaymentIntents = new EntityTable<PaymentIntent>(_gate, "payment_intent");
        Charges = new EntityTable<Charge>(_gate, "charge");
        Refunds = new EntityTable<Refund>(_gate, "refund");
        Disputes = new EntityTable<Dispute>(_gate, "dispute");
        CheckoutSessions = new EntityTable<CheckoutSession>(_gate, "checkout.session");
        SetupIntents = new EntityTable<SetupIntent>(_gate, "setup_intent");
        Ledger = new ChargeLedger(_gate);
    }

    public EntityTable<Customer> Customers { get; }

    public EntityTable<PaymentMethod> PaymentMethods { get; }

    public EntityTable<PaymentIntent> PaymentIntents { get; }

    public EntityTable<Charge> Charges { get; }

    public EntityTable<Refund> Refunds { get; }

    public EntityTable<Dispute> Disputes { get; }

    public EntityTable<CheckoutSession> CheckoutSessions { get; }

    public EntityTable<SetupIntent> SetupIntents { get; }

    public ChargeLedger Ledger { get; }

    /// <summary>Runs a read-check-write sequence with no other change in between.</summary>
    public T Atomically<T>(Func<T> work)
    {
        lock (_gate)
        {
            return work();
        }
    }
}
