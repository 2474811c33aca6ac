using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.Delivery.Outbound;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;
using ProMTA.MailPolicy;

namespace ProMTA.Delivery.Apis;

public sealed record MessageEventView(string Event, string? Reply, string? SourceIp, DateTimeOffset At);
public sealed record MessageRecipientView(
    string Address, string Provider, string Status, int Attempts, int Deferrals, string? LastReply, string? SourceIp, string? BounceClass,
    DateTimeOffset ExpiresAt, Waiting? Waiting, IReadOnlyList<MessageEventView> Events);
public sealed record MessageView(string MessageId, string? HeaderMessageId, string MailFrom, int Size, DateTimeOffset ReceivedAt, IReadOnlyList<MessageRecipientView> Recipients);
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
    /// ?messageId= (the id in "queued as", with or without dashes, or the message's own Message-ID header, with or
    /// without angle brackets), ?recipient=, ?from=&amp;to= (ISO 8601; default the last 7 days), paged. The owner sees
    /// their service; an operator any service; anyone else 404.
    /// </summary>
    private static async Task<Results<Ok<MessageSearchResponse>, ValidationProblem, NotFound>> Search(
        Guid serviceId, string? messageId, string? recipient, DateTimeOffset? from, DateTimeOffset? to, [AsParameters] PageRequest pageRequest,
        ClaimsPrincipal user, Database db, ThrottleController throttle, MxResolver resolver, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = to ?? now.AddMinutes(1);
        var since = from ?? until - DefaultWindow;
        Guid? queueId = Guid.TryParse(messageId, out var parsedId) ? parsedId : null;
        var headerId = messageId is null ? null : HeaderMessageId.Normalize(messageId);
        var validation = new Validation()
            .Check("messageId", messageId is null || queueId is not null || headerId is not null,
                "messageId must be the id of the relay's 250 reply (\"queued as ...\") or the message's Message-ID header (at most 998 characters).")
            .Check("recipient", recipient is null || (recipient.Length <= 320 && recipient.Contains('@')), "recipient must be an e-mail address.")
            .Check("to", since < until, "to must be after from.")
            .Check("from", until - since <= MaxWindow, $"from and to may be at most {MaxWindow.TotalDays:0} days apart.");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        if (!user.IsInRole(Roles.Operator) && !await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();

        var paging = pageRequest.Paging;
        // One row more than the page says whether there is a next page without counting.
        var query = new MessageQuery(serviceId, queueId, recipient?.Trim(), since, until, (paging.Page - 1) * paging.PageSize, paging.PageSize + 1,
            queueId is null ? headerId : null);
        var page = await MessageTrails.FindAsync(db, query, ct);
        // A Message-ID header may itself look like a queue id (a bare GUID): no message by that queue id, then by the header.
        if (page.Messages.Count == 0 && queueId is not null && headerId is not null)
            page = await MessageTrails.FindAsync(db, query with { MessageId = null, HeaderMessageId = headerId }, ct);
        var account = await RelayAccounts.FindAsync(db, serviceId, ct);
        var snapshot = throttle.Snapshot(now);
        var lanes = snapshot.Lanes.Where(l => account?.SourceIps.Contains(l.SourceIp) == true).ToList();
        var tenant = serviceId.ToString();
        var events = page.Events.ToLookup(e => e.RecipientId);
        var recipients = page.Recipients.ToLookup(r => r.MessageId);
        // Queued mail is explained by the lane the worker shapes it in: the provider of its domain's MX host.
        var mxHosts = await MxHostsAsync(resolver, page.Recipients.Where(r => r.Status == "Queued").Select(r => r.Domain), ct);
        var items = page.Messages.Take(paging.PageSize).Select(m => new MessageView(m.Id.ToString("N"), m.HeaderMessageId, m.MailFrom, m.Size, m.ReceivedAt,
            [.. recipients[m.Id].Select(r =>
            {
                var waiting = WaitingReason.Explain(r, mxHosts.GetValueOrDefault(r.Domain), throttle.Providers, account?.Status ?? RelayAccounts.Active,
                    lanes, snapshot.Tenants, tenant, now);
                return new MessageRecipientView(r.Address, r.Provider, r.Status, r.Attempts, r.Deferrals, r.LastReply, r.SourceIp, r.BounceClass,
                    r.ExpiresAt, waiting, [.. events[r.Id].Select(e => new MessageEventView(e.Event, e.Reply, e.SourceIp, e.OccurredAt))]);
            })])).ToList();
        return TypedResults.Ok(new MessageSearchResponse(items, paging.Page, paging.PageSize, page.Messages.Count > paging.PageSize));
    }

    /// <summary>
    /// The most preferred MX host of each domain, from the worker's resolver (its cache, per TTL, so a page of queued
    /// mail costs a lookup per domain at most once a TTL); a domain whose lookup fails is explained by its name.
    /// </summary>
    private static async Task<Dictionary<string, string>> MxHostsAsync(MxResolver resolver, IEnumerable<string> domains, CancellationToken ct)
    {
        var lookups = domains.Distinct(StringComparer.OrdinalIgnoreCase).Select(async domain =>
        {
            try
            {
                var route = await resolver.ResolveAsync(domain, ct);
                return (Domain: domain, Host: route.Targets.Count > 0 ? route.Targets[0].Host : null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return (Domain: domain, Host: (string?)null);
            }
        });
        return (await Task.WhenAll(lookups)).Where(x => x.Host is not null).ToDictionary(x => x.Domain, x => x.Host!, StringComparer.OrdinalIgnoreCase);
    }
}
