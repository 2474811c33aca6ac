using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using ProMTA.Delivery.Data;
using ProMTA.Delivery.Domain;
using ProMTA.ServiceDefaults.Auth;
using ProMTA.ServiceDefaults.Data;
using ProMTA.ServiceDefaults.Http;
using ProMTA.ServiceDefaults.Security;

namespace ProMTA.Delivery.Apis;

/// <summary>A credential to make: its name, and the stream its mail goes in ("bulk", the default, or "transactional").</summary>
public sealed record SmtpCredentialRequest(string? Name, string? Stream = null);
/// <summary>A new credential with its password: answered once, when it is made.</summary>
public sealed record NewSmtpCredential(Guid Id, string Name, string Username, string Password, DateTimeOffset CreatedAt, string Stream);

/// <summary>
/// A service's SMTP credentials (issue 20): the one made when it went live ("primary", its password rotated with
/// POST /smtp-password) and named ones, one per application or team, each revocable on its own; each shows when and
/// from which address it last authenticated. Owner only; anyone else 404. A named credential may send the transactional
/// stream (issue 19 step 5): its mail is claimed and sent before the service's bulk mail on the same lanes.
/// </summary>
public static class SmtpCredentialsApi
{
    /// <summary>Live named credentials a service may have besides its primary one.</summary>
    public const int MaxPerService = 20;

    public static IEndpointRouteBuilder MapSmtpCredentialsApi(this IEndpointRouteBuilder app)
    {
        var credentials = app.MapGroup("/api/services/{serviceId:guid}/smtp-credentials").RequireAuthorization();
        credentials.MapGet("", List);
        credentials.MapPost("", Create);
        credentials.MapDelete("/{credentialId:guid}", Revoke);
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<SmtpCredential>>, NotFound>> List(Guid serviceId, ClaimsPrincipal user, Database db, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        return TypedResults.Ok(await SmtpCredentials.ListAsync(db, serviceId, ct));
    }

    private static async Task<Results<Created<NewSmtpCredential>, ValidationProblem, NotFound, ProblemHttpResult>> Create(
        Guid serviceId, SmtpCredentialRequest request, ClaimsPrincipal user, Database db, TimeProvider time, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        var name = request.Name?.Trim();
        var validation = new Validation()
            .Required("name", name, 64)
            .Check("name", name is null || (name.All(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_' or '.')
                && !name.Equals(SmtpCredentials.PrimaryName, StringComparison.OrdinalIgnoreCase)),
                "name may hold letters, digits, spaces, '-', '_' and '.', and is not \"primary\".")
            .Check("stream", request.Stream is null || MailStream.Parse(request.Stream) is not null,
                $"stream is \"{MailStream.Bulk}\" (the default) or \"{MailStream.Transactional}\".");
        if (!validation.IsValid) return TypedResults.ValidationProblem(validation.Errors);
        if (await RelayAccounts.FindAsync(db, serviceId, ct) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Relay not live yet",
                detail: "SMTP credentials can be made once the service is live (after reverse DNS propagates).");
        }
        var id = Guid.CreateVersion7();
        // The service's username and a random suffix: unique, and it says which service it sends for.
        var username = $"{RelayUsername.For(serviceId)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var password = RelayPassword.New();
        var now = time.GetUtcNow();
        var stream = MailStream.Parse(request.Stream) ?? MailStream.Bulk;
        return await SmtpCredentials.AddAsync(db, id, serviceId, name!, username, PasswordHasher.HashRandomSecret(password), stream, user.Actor(),
                MaxPerService, now, ct) switch
        {
            SmtpCredentials.AddResult.Added => TypedResults.Created($"/api/services/{serviceId}/smtp-credentials/{id}",
                new NewSmtpCredential(id, name!, username, password, now, stream)),
            SmtpCredentials.AddResult.NameTaken => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Name in use",
                detail: $"This service already has an SMTP credential named \"{name}\"; revoke it or choose another name."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many SMTP credentials",
                detail: $"A service has at most {MaxPerService} named SMTP credentials; revoke one first."),
        };
    }

    /// <summary>AUTH with it fails from now on (sessions already authenticated end as they would).</summary>
    private static async Task<Results<NoContent, NotFound>> Revoke(
        Guid serviceId, Guid credentialId, ClaimsPrincipal user, Database db, TimeProvider time, CancellationToken ct)
    {
        if (!await ServiceOwners.IsOwnerAsync(db, serviceId, user.CustomerId(), ct)) return TypedResults.NotFound();
        return await SmtpCredentials.RevokeAsync(db, serviceId, credentialId, user.Actor(), time.GetUtcNow(), ct) is null
            ? TypedResults.NotFound()
            : TypedResults.NoContent();
    }
}
