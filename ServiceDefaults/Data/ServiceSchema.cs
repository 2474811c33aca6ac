using System.Reflection;

namespace ProMTA.ServiceDefaults.Data;

/// <summary>The PostgreSQL schema a service owns, and the assembly holding its migration scripts.</summary>
public sealed record ServiceSchema(string Name, Assembly Migrations)
{
    /// <summary>The LISTEN/NOTIFY channel that wakes the outbox relay when a transaction commits new rows.</summary>
    public string OutboxChannel => $"outbox_{Name}";
}
