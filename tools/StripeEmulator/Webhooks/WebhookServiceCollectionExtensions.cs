namespace StripeEmulator.Webhooks;

public static class WebhookServiceCollectionExtensions
{
    public static IServiceCollection AddStripeWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WebhookOptions>(configuration.GetSection(WebhookOptions.SectionName));
        services.AddSingleton<WebhookPublisher>();
        services.AddHttpClient(WebhookDeliveryService.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddHostedService<WebhookDeliveryService>();
        return services;
    }
}
