using StripeEmulator.Errors;

namespace StripeEmulator.Store;

/// <summary>
/// Objects of one kind by id. Objects are immutable records, so a snapshot read here can be
/// rendered outside the lock; every table shares the store's lock so that multi-object
/// changes made inside <see cref="EmulatorStore.Atomically{T}"/> are seen all at once.
/// </summary>
public sealed class EntityTable<T>(object gate, string objectName) where T : class, IStripeObject
{
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);

    public T? Find(string id)
    {
        lock (gate)
        {
            return _items.GetValueOrDefault(id);
        }
    }

    /// <summary>The object, or Stripe's resource_missing error naming it (and the parameter that sent the id, if any).</summary>
    public T Get(string id, string? param = null) => Find(id) ?? throw StripeErrors.ResourceMissing(objectName, id, param);

    /// <summary>The objects that match; a scan, fine for a test double's handful of objects.</summary>
    public IReadOnlyList<T> Where(Func<T, bool> match)
    {
        lock (gate)
        {
            return [.. _items.Values.Where(match)];
        }
    }

    public T Save(T item)
    {
        lock (gate)
        {
            _items[item.Id] = item;
            return item;
        }
    }
}
