using System.Collections.Concurrent;
using System.Reflection;

namespace ProMTA.ServiceDefaults.Messaging.Flow;

/// <summary>
/// The order and service a message is about: every contract carries an <c>OrderId</c> and/or a <c>ServiceId</c>
/// (DESIGN.md), read once per message type by reflection.
/// </summary>
internal static class MessageCorrelation
{
    private static readonly ConcurrentDictionary<Type, (PropertyInfo? Order, PropertyInfo? Service)> Properties = new();

    public static (Guid? OrderId, Guid? ServiceId) Of(object message)
    {
        var (order, service) = Properties.GetOrAdd(message.GetType(), static type => (Find(type, "OrderId"), Find(type, "ServiceId")));
        return (order?.GetValue(message) as Guid?, service?.GetValue(message) as Guid?);
    }

    private static PropertyInfo? Find(Type type, string name) =>
        type.GetProperty(name) is { } property && (property.PropertyType == typeof(Guid) || property.PropertyType == typeof(Guid?)) ? property : null;
}
