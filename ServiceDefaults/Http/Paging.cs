namespace ProMTA.ServiceDefaults.Http;

/// <summary>Every list is paged: ?page=&amp;pageSize=, answered with the total.</summary>
public readonly record struct Paging(int Page, int PageSize)
{
    public const int MaxPageSize = 200;

    public static Paging From(int? page, int? pageSize) =>
        new(Math.Max(page ?? 1, 1), Math.Clamp(pageSize ?? 50, 1, MaxPageSize));
}

public sealed record PagedList<T>(IReadOnlyList<T> Items, long Total, int Page, int PageSize);
