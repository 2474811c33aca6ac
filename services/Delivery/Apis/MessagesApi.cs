using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;
using ProMTA.Throttling;

namespace ProMTA.Delivery.Apis;

public sealed record MessageEventView(string Event, string? Reply, string? SourceIp, DateTimeOffset At);
public sealed record MessageRecipientView(
    string Address, string Provider, string Status, int Attempts, int Deferrals, string? LastReply, string? SourceIp, string? BounceClass,
    DateTimeOffset ExpiresAt, Waiting? Waiting, IReadOnlyList<MessageEventView> Events);
public sealed record MessageView(string MessageId, string MailFrom, int Size, DateTimeOffset ReceivedAt, IReadOnlyList<MessageRecipientView> Recipients);
/// <summary>A page of messages, newest first; <c>HasMore</c> instead of a total, so a search never counts a large table.</summary>
public sealed record MessageSearchResponse(IReadOnlyList<MessageView> Items, int Page, int PageSize, bool HasMore);

/// <summary>Find one message: each recipient's trail (accepted, every attempt with its reply and source IP, the end), and for mail still queued why it waits and until when.</summary>
public static class MessagesApi
{
    /// <summary>Without ?from=, a search looks this far back; a wider window must be asked for.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);

    /// <summary>Longer than any message stays queued or its events are kept; a bound on what one search scans.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(90);

    public static IEndpointRouteBuilder MapMessagesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/services/{serviceId:guid}/messages", Search).RequireAuthorization();
        return app;
    }

    /// <summary>
    /// ?messageId= (the id in "queued as", with or without dashes), ?recipient=, ?from=&amp;to= (ISO 8601; default the
    /// last 7 days), paged. The owner sees their service; an operator any service; anyone else 404.
    /// </summary>
    private static async Task<Results<Ok<MessageSearchResponse>, ValidationProblem, NotFound>> Search(
        Guid serviceId, string? messageId, string? recipient, DateTimeOffset? from, DateTimeOffset? to, [AsParameters] PageRequest pageRequest,
        ClaimsPrincipal user, Database db, ThrottleController throttle, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = to ?? now.AddMinutes(1);
        var since = from ?? until - DefaultWindow;
        Guid parsedId = default;
        var validation = new Validation()
            .Check("messageId", messageId is null || Guid.TryParse(messageId, out parsedId), "messageId must be the id of the relay's 250 reply (\"queued as ...\").")
            .Check("recipient", recipient is null || (recipient.Length <= 320 && recipient.Contains('@')), "recipient must be an e-mail address.")
            .Check("to", since < until, "to must be after from.")
            .Check("from", until - since <= MaxWindow, $"from and to may be at most {MaxWindow.TotalDays:0} days apart.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        if (!user.IsInRole(Roles.Operator) && !await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();

        var paging = pageRequest.Paging;
        // One row more than the page says whether there is a next page without counting.
        var page = await MessageTrails.FindAsync(db, new MessageQuery(serviceId, messageId is null ? null : parsedId, recipient?.Trim(), since, until,
            (paging.Page - 1) * paging.PageSize, paging.PageSize + 1), ct);
        var account = await RelayAccounts.FindAsync(db, serviceId, ct);
        var snapshot = throttle.Snapshot(now);
        var lanes = snapshot.Lanes.Where(l => account?.SourceIps.Contains(l.SourceIp) == true).ToList();
        var tenant = serviceId.ToString();
        var events = page.Events.ToLookup(e => e.RecipientId);
        var recipients = page.Recipients.ToLookup(r => r.MessageId);
        var items = page.Messages.Take(paging.PageSize).Select(m => new MessageView(m.Id.ToString("N"), m.MailFrom, m.Size, m.ReceivedAt,
            [.. recipients[m.Id].Select(r =>
            {
                var throttleName = Providers.ThrottleName(r.Provider);
                var waiting = WaitingReason.Explain(r, account?.Status ?? RelayAccounts.Active, [.. lanes.Where(l => l.Provider == throttleName)],
                    snapshot.Tenants.FirstOrDefault(t => t.Tenant == tenant && t.Provider == throttleName), now);
                return new MessageRecipientView(r.Address, r.Provider, r.Status, r.Attempts, r.Deferrals, r.LastReply, r.SourceIp, r.BounceClass,
                    r.ExpiresAt, waiting, [.. events[r.Id].Select(e => new MessageEventView(e.Event, e.Reply, e.SourceIp, e.OccurredAt))]);
            })])).ToList();
        return TypedResults.Ok(new MessageSearchResponse(items, paging.Page, paging.PageSize, page.Messages.Count > paging.PageSize));
    }
}
