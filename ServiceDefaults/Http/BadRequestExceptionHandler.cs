using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace ProMTA.ServiceDefaults.Http;

/// <summary>
/// A body that is not JSON, or a JSON value of the wrong type, becomes a 400 problem that names the field
/// (the JSON path), instead of an empty 400. Nothing reaches a handler, so nothing is written.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad) return false;
        var json = exception.InnerException as JsonException;
        var field = json?.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : null;
        var details = new ProblemDetails
        {
            Status = bad.StatusCode,
            Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request too large" : "Malformed request",
            Detail = field is not null ? $"'{field}' has the wrong type or is malformed." : json is not null ? "The body is not valid JSON." : bad.Message,
        };
        if (field is not null) details.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [details.Detail] };
        http.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = details, Exception = exception });
    }
}
