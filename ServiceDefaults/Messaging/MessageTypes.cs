using System.Collections.Concurrent;

namespace ProMTA.ServiceDefaults.Messaging;

/// <summary>Finds the CLR type of an outbox row by the full name it was written with.</summary>
internal static class MessageTypes
{
    private static readonly ConcurrentDictionary<string, Type> Cache = new();

    public static Type Resolve(string fullName) => Cache.GetOrAdd(fullName, static name =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Select(a => a.GetType(name, throwOnError: false))
            .FirstOrDefault(t => t is not null)
        ?? throw new InvalidOperationException($"Unknown message type {name}"));
}
