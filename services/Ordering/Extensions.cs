using ProMTA.Ordering.Accounts;
using ProMTA.Ordering.Apis;
using ProMTA.Ordering.Data;
using ProMTA.Ordering.Domain;
using ProMTA.Ordering.Domains;
using ProMTA.ServiceDefaults.Http;
using ProMTA.ServiceDefaults.Http.Input;

namespace ProMTA.Ordering;

public static class Extensions
{
    public const string Schema = "ordering";

    public static IHostApplicationBuilder AddOrdering(this IHostApplicationBuilder builder) =>
        builder.AddPlatformService(Schema, typeof(Extensions).Assembly).AddOrderingServices();

    /// <summary>Ordering's own services, options and background work, over a database, bus and caller authentication added before.</summary>
    public static IHostApplicationBuilder AddOrderingServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StaffBootstrapOptions>().BindConfiguration("Staff").ValidateOnStart();
        builder.Services.AddHostedService<StaffBootstrap>();
        builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section)
            .Validate(o => o.StaffLifetime > TimeSpan.Zero, $"{ApiKeyOptions.Section}:StaffLifetime must be positive")
            .ValidateOnStart();
        builder.Services.AddOptions<ReviewOptions>().BindConfiguration(ReviewOptions.Section)
            .Validate(o => o.ExtraWorkingDays is >= 0 and <= 60, $"{ReviewOptions.Section}:ExtraWorkingDays must be between 0 and 60")
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), $"{ReviewOptions.Section}:TimeZone must be a time zone id")
            .ValidateOnStart();

        var signingKey = builder.Configuration["Auth:TokenSigningKey"];
        if (string.IsNullOrEmpty(signingKey) || signingKey.Length < 32)
        {
            throw new InvalidOperationException("Auth:TokenSigningKey must be set to a secret of at least 32 characters");
        }
        builder.Services.AddSingleton(new AccessTokens(signingKey));
        builder.AddAccountLinks(signingKey);
        builder.Services.AddOptions<RelayEndpointOptions>().BindConfiguration("Relay").ValidateOnStart();
        builder.Services.AddSingleton<CustomerRepository>();
        builder.Services.AddSingleton<ProductRepository>();
        builder.Services.AddSingleton<OrderRepository>();
        builder.Services.AddSingleton<ServiceRepository>();
        builder.Services.AddSingleton<DemoRequestRepository>();
        builder.Services.AddSingleton<ContactMessageRepository>();
        builder.Services.AddSingleton<ApiKeyRepository>();
        builder.Services.AddSingleton<StaffRepository>();
        builder.Services.AddSingleton<Teams.Team>();
        builder.Services.AddSingleton<Teams.Sessions>();
        builder.AddDomainClaims();
        builder.Services.AddOptions<Catalogue.CatalogueOptions>().BindConfiguration(Catalogue.CatalogueOptions.Section)
            .Validate(o => o.PublishInterval > TimeSpan.Zero, $"{Catalogue.CatalogueOptions.Section}:PublishInterval must be positive").ValidateOnStart();
        builder.Services.AddHostedService<Catalogue.CataloguePublisher>();
        // The operators' platform-wide views (an order's flow, dead letters) gather from every other service.
        builder.Services.AddPlatformPeers("billing", "provisioning", "dns", "delivery");
        return builder;
    }

    public static WebApplication MapOrderingApis(this WebApplication app)
    {
        var endpoints = app.MapPlatformEndpoints();
        var api = endpoints.MapGroup("/api");
        api.MapCustomersApi();
        api.MapAccountApi();
        api.MapAccountLinksApi();
        api.MapCatalogApi();
        api.MapOrdersApi();
        api.MapServicesApi();
        api.MapDomainsApi();
        api.MapDemoRequestsApi();
        api.MapContactApi();
        api.MapReviewApi();
        api.MapApiKeysApi();
        api.MapTeamApi();
        api.MapMembershipsApi();
        api.MapStaffApi();
        api.MapStaffCustomerApi();
        api.MapFlowApi();
        api.MapDeadLettersApi();
        endpoints.MapIntrospectionApi();
        return app;
    }
}
