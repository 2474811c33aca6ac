using Microsoft.AspNetCore.Builder;

namespace ProMTA.ServiceDefaults.Auth;

/// <summary>
/// What a customer route changes, which decides the team roles allowed to call it (<see cref="TeamRoles.MayChange"/>).
/// A route that says nothing is <see cref="Account"/>: services, DNS, relay, credentials, the team; reads
/// (GET, HEAD) are open to every member whatever their kind.
/// </summary>
public enum RouteKind
{
    /// <summary>The account's services, DNS, relay, credentials, orders and team: owners and admins.</summary>
    Account,

    /// <summary>Payment method, invoices, billing profile, credit notes: owners, admins and billing members.</summary>
    Billing,

    /// <summary>The caller's own login (password, log out, their own API keys): every member.</summary>
    Self,
}

/// <summary>Endpoint metadata naming a route's <see cref="RouteKind"/>.</summary>
public sealed record RouteKindMetadata(RouteKind Kind);

public static class RouteKindExtensions
{
    /// <summary>A change billing members may make too (payment method, invoices, billing profile, credit notes).</summary>
    public static TBuilder BillingAction<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RouteKindMetadata(RouteKind.Billing));

    /// <summary>A change to the caller's own login that every member may make, read-only ones too.</summary>
    public static TBuilder SelfAction<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RouteKindMetadata(RouteKind.Self));
}
