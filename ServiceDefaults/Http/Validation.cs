namespace ProMTA.ServiceDefaults.Http;

/// <summary>Collects field errors for a 400 ValidationProblem that names each field.</summary>
public sealed class Validation
{
    private readonly Dictionary<string, string[]> errors = new(StringComparer.Ordinal);

    public bool IsValid => errors.Count == 0;

    public IDictionary<string, string[]> Errors => errors;

    public Validation Required(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) Add(field, $"{field} is required.");
        else if (value.Length > maxLength) Add(field, $"{field} must be at most {maxLength} characters.");
        return this;
    }

    public Validation Optional(string field, string? value, int maxLength)
    {
        if (value is not null && value.Length > maxLength) Add(field, $"{field} must be at most {maxLength} characters.");
        return this;
    }

    public Validation Email(string field, string? value)
    {
        Required(field, value, Input.EmailAddressSyntax.MaxLength);
        if (!string.IsNullOrWhiteSpace(value) && !Input.EmailAddressSyntax.IsValid(value.Trim()))
        {
            Add(field, $"{field} must be an email address such as name@example.com.");
        }
        return this;
    }

    public Validation Check(string field, bool ok, string message)
    {
        if (!ok) Add(field, message);
        return this;
    }

    private void Add(string field, string message) =>
        errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
}
