using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Ordering.Data;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Http;
using ProMTA.ServiceDefaults.Http.Input;

namespace ProMTA.Ordering.Apis;

public sealed record ContactRequest(string? Name, string? Email, string? Topic, string? Message);
public sealed record ContactConfirmation(Guid Id, string Message);

/// <summary>The contact form (public, rate limited at the gateway like demo requests); staff read and mark the messages answered.</summary>
public static class ContactApi
{
    public const int MaxMessageLength = PlainText.DefaultMaxLength;

    public static RouteGroupBuilder MapContactApi(this RouteGroupBuilder api)
    {
        api.MapPost("/contact", SendAsync);
        api.MapGet("/admin/contact-messages", ListAsync).RequireAuthorization(StaffPolicy.Name);
        api.MapPost("/admin/contact-messages/{id:guid}/answered", AnsweredAsync).RequireAuthorization(StaffPolicy.Name);
        return api;
    }

    public static async Task<Results<Created<ContactConfirmation>, ValidationProblem>> SendAsync(
        ContactRequest request, ContactMessageRepository messages, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation()
            .Required("name", request.Name, 200)
            .Email("email", request.Email)
            .Check("topic", request.Topic is not null && ContactTopic.All.Contains(request.Topic), $"topic must be one of {string.Join(", ", ContactTopic.All)}.")
            .Required("message", request.Message, MaxMessageLength);
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);

        var row = new ContactMessageRow
        {
            Id = Guid.CreateVersion7(),
            Name = request.Name!.Trim(),
            Email = request.Email!.Trim(),
            Topic = request.Topic!,
            Message = request.Message!.Trim(),
            CreatedAt = time.GetUtcNow(),
        };
        await messages.AddAsync(row, ct);
        return TypedResults.Created($"/api/admin/contact-messages/{row.Id}", new ContactConfirmation(row.Id,
            $"Thank you: your message reached our team. We answer by e-mail to {row.Email}, within one working day."));
    }

    public static async Task<Ok<PagedList<ContactMessageRow>>> ListAsync([AsParameters] PageRequest pageRequest, ContactMessageRepository messages, CancellationToken ct)
    {
        var paging = pageRequest.Paging;
        var (items, total) = await messages.ListAsync(paging.Page, paging.PageSize, ct);
        return TypedResults.Ok(new PagedList<ContactMessageRow>(items, total, paging.Page, paging.PageSize));
    }

    public static async Task<Results<NoContent, NotFound>> AnsweredAsync(
        Guid id, ClaimsPrincipal user, ContactMessageRepository messages, TimeProvider time, CancellationToken ct) =>
        await messages.MarkAnsweredAsync(id, user.CustomerId(), time.GetUtcNow(), ct) ? TypedResults.NoContent() : TypedResults.NotFound();
}
