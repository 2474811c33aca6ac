using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;

namespace ProMTA.ServiceDefaults.Http;

/// <summary>Every list is paged: ?page=&amp;pageSize=, answered with the total.</summary>
public readonly record struct Paging(int Page, int PageSize)
{
    public const int MaxPageSize = 200;

    /// <summary>
    /// Far past any real list, and low enough that (page - 1) * pageSize stays an int: ?page=2147483647 used to
    /// overflow the offset into a 500.
    /// </summary>
    public const int MaxPage = 1_000_000;
}

/// <summary>The ?page=&amp;pageSize= of a list route, bound with [AsParameters] and bounded by the input validation.</summary>
public sealed class PageRequest
{
    [FromQuery(Name = "page"), Range(1, Paging.MaxPage)]
    public int? Page { get; init; }

    [FromQuery(Name = "pageSize"), Range(1, Paging.MaxPageSize)]
    public int? PageSize { get; init; }

    public Paging Paging => new(Page ?? 1, PageSize ?? 50);
}

public sealed record PagedList<T>(IReadOnlyList<T> Items, long Total, int Page, int PageSize);
