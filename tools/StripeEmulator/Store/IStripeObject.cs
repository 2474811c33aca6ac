namespace StripeEmulator.Store;

/// <summary>Anything kept in the store: an immutable snapshot of one Stripe object.</summary>
public interface IStripeObject
{
    string Id { get; }
}
