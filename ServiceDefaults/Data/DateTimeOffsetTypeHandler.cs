using System.Data;
using Dapper;

namespace ProMTA.ServiceDefaults.Data;

/// <summary>
/// Instants are DateTimeOffset in our code; Npgsql reads timestamptz as a UTC DateTime and writes only UTC offsets.
/// Registering the handler also lets Dapper bind such columns to record constructors.
/// </summary>
internal sealed class DateTimeOffsetTypeHandler : SqlMapper.TypeHandler<DateTimeOffset>
{
    public override DateTimeOffset Parse(object value) => value switch
    {
        DateTimeOffset instant => instant,
        DateTime dateTime => new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)),
        _ => throw new DataException($"Cannot convert {value.GetType()} to DateTimeOffset"),
    };

    public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
    {
        parameter.DbType = DbType.DateTimeOffset;
        parameter.Value = value.ToUniversalTime();
    }
}
