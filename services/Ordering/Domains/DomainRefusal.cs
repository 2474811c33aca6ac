namespace ProMTA.Ordering.Domains;

/// <summary>Why a sending domain cannot be claimed; <see cref="Status"/> is the HTTP status the API answers with.</summary>
public sealed record DomainRefusal(int Status, string Title, string Detail)
{
    /// <summary>The name itself can never be a customer's domain (422): no other order could change that.</summary>
    public static DomainRefusal Unclaimable(string detail) => new(StatusCodes.Status422UnprocessableEntity, "Sending domain not allowed", detail);

    /// <summary>Someone else holds the name or a name above or below it (409): it may become free later.</summary>
    public static DomainRefusal Conflict(string detail) => new(StatusCodes.Status409Conflict, "Sending domain already claimed", detail);
}
