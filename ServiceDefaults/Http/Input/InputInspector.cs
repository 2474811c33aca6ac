using System.Collections;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ProMTA.ServiceDefaults.Http.Input;

/// <summary>
/// Checks one bound argument (a body record, an [AsParameters] object, a route/query/header string) and everything
/// inside it: each string is plain text within its bound (<see cref="PlainText"/>), each DataAnnotations attribute
/// holds (on the property, or on a positional record's constructor parameter). Errors are keyed by the JSON path the
/// client sent ("monthlyPrice.currency", "preferredTimes[2]").
/// </summary>
public static class InputInspector
{
    private const int MaxDepth = 8;
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<Member>> Members = new();

    private sealed record Member(PropertyInfo Property, string JsonName, IReadOnlyList<ValidationAttribute> Attributes);

    /// <summary>A string argument bound from the route, query or a header.</summary>
    public static void CheckValue(string field, object? value, IReadOnlyList<ValidationAttribute> attributes, IDictionary<string, string[]> errors)
    {
        foreach (var attribute in attributes)
        {
            var result = attribute.GetValidationResult(value, new ValidationContext(value ?? new object()) { DisplayName = field, MemberName = field });
            if (result is not null) Add(errors, field, result.ErrorMessage ?? $"{field} is invalid.");
        }
        CheckNested(field, value, MaxLengthOf(attributes), 0, errors);
    }

    /// <summary>An object bound from the body or [AsParameters]; <paramref name="prefix"/> is empty for a body.</summary>
    public static void CheckObject(string prefix, object value, IDictionary<string, string[]> errors) =>
        CheckMembers(prefix, value, 0, errors);

    public static bool IsComplex(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(Guid)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeOnly)
            || type == typeof(TimeSpan) || type == typeof(Uri)) return false;
        var ns = type.Namespace ?? "";
        return !ns.StartsWith("System", StringComparison.Ordinal) && !ns.StartsWith("Microsoft", StringComparison.Ordinal);
    }

    private static void CheckMembers(string prefix, object instance, int depth, IDictionary<string, string[]> errors)
    {
        if (depth > MaxDepth) return;
        foreach (var member in Members.GetOrAdd(instance.GetType(), Describe))
        {
            var field = prefix.Length == 0 ? member.JsonName : $"{prefix}.{member.JsonName}";
            var value = member.Property.GetValue(instance);
            var context = new ValidationContext(instance) { MemberName = member.Property.Name, DisplayName = field };
            foreach (var attribute in member.Attributes)
            {
                if (attribute.GetValidationResult(value, context) is { } result) Add(errors, field, result.ErrorMessage ?? $"{field} is invalid.");
            }
            CheckNested(field, value, MaxLengthOf(member.Attributes), depth, errors);
        }
    }

    private static void CheckNested(string field, object? value, int maxLength, int depth, IDictionary<string, string[]> errors)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                if (PlainText.Problem(text, maxLength) is { } problem) Add(errors, field, $"{field} {problem}");
                return;
            case IEnumerable items when value is not IDictionary:
                var index = 0;
                foreach (var item in items)
                {
                    CheckNested($"{field}[{index++}]", item, maxLength, depth + 1, errors);
                }
                return;
            default:
                if (IsComplex(value.GetType())) CheckMembers(field, value, depth + 1, errors);
                return;
        }
    }

    private static IReadOnlyList<Member> Describe(Type type)
    {
        // A positional record's attributes sit on its constructor parameters unless written [property: ...].
        var constructorAttributes = type.GetConstructors()
            .OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()?.GetParameters()
            .Where(p => p.Name is not null)
            .ToDictionary(p => p.Name!, p => p.GetCustomAttributes<ValidationAttribute>(true).ToList(), StringComparer.OrdinalIgnoreCase) ?? [];
        return [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => new Member(p,
                p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
                    ?? p.GetCustomAttribute<Microsoft.AspNetCore.Mvc.FromQueryAttribute>()?.Name
                    ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name),
                [.. p.GetCustomAttributes<ValidationAttribute>(true),
                    .. constructorAttributes.GetValueOrDefault(p.Name) ?? []]))];
    }

    private static int MaxLengthOf(IEnumerable<ValidationAttribute> attributes) =>
        attributes.Select(a => a switch
        {
            MaxLengthAttribute max => max.Length,
            StringLengthAttribute length => length.MaximumLength,
            _ => (int?)null,
        }).FirstOrDefault(l => l is not null) ?? PlainText.DefaultMaxLength;

    private static void Add(IDictionary<string, string[]> errors, string field, string message) =>
        errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
}
