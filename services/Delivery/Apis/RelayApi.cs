using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Delivery.Apis;

public sealed record SmtpPasswordResponse(string Username, string Password);
public sealed record ProviderDelivery(string Provider, long Sent, long Deferred, long Bounced, long QueueDepth, string State, int? CurrentRateLimit);
public sealed record DeliveryResponse(Guid ServiceId, IReadOnlyList<ProviderDelivery> Providers);

public static class RelayApi
{
    public static IEndpointRouteBuilder MapRelayApi(this IEndpointRouteBuilder app)
    {
        var services = app.MapGroup("/api/services/{serviceId:guid}").RequireAuthorization();
        services.MapPost("/smtp-password", RotatePassword);
        services.MapGet("/delivery", GetDelivery);
        return app;
    }

    /// <summary>A new password every call, shown once; only its hash is kept.</summary>
    private static async Task<Results<Ok<SmtpPasswordResponse>, NotFound, ProblemHttpResult>> RotatePassword(
        Guid serviceId, ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        var account = await RelayAccounts.FindAsync(db, serviceId, ct);
        if (account is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Relay not live yet",
                detail: "The relay account is created when the service goes live (after reverse DNS propagates).");
        }
        var password = RelayPassword.New();
        await RelayAccounts.SetPasswordHashAsync(db, serviceId, PasswordHasher.Hash(password), ct);
        return TypedResults.Ok(new SmtpPasswordResponse(account.Username, password));
    }

    private static async Task<Results<Ok<DeliveryResponse>, NotFound>> GetDelivery(Guid serviceId, ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        var statistics = await MessageQueue.StatisticsAsync(db, serviceId, ct);
        // State and rate limit come from the adaptive throttling controller once it is wired in; until then mail
        // goes out as fast as the connection limits allow.
        return TypedResults.Ok(new DeliveryResponse(serviceId,
            [.. statistics.Select(s => new ProviderDelivery(s.Provider, s.Sent, s.Deferred, s.Bounced, s.QueueDepth, "Normal", null))]));
    }
}
