using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ProMTA.ServiceDefaults.Mail;

public static class SmarthostExtensions
{
    /// <summary>
    /// Binds the service's one <see cref="SmarthostOptions"/> from <paramref name="section"/>, validated at start;
    /// <paramref name="from"/> is the sender unless the section names another.
    /// </summary>
    public static IHostApplicationBuilder AddSmarthost(this IHostApplicationBuilder builder, string section, string from)
    {
        builder.Services.AddOptions<SmarthostOptions>()
            .Configure(o => o.From = from)
            .BindConfiguration(section)
            .Validate(o => !o.Enabled || MimeKit.MailboxAddress.TryParse(o.From, out _), $"{section}:From must be a mail address")
            .Validate(o => o.Port is > 0 and < 65536, $"{section}:Port must be a TCP port")
            .Validate(o => o.RetryDelay > TimeSpan.Zero && o.MaxRetryDelay >= o.RetryDelay && o.PollInterval > TimeSpan.Zero,
                $"{section}: PollInterval and RetryDelay must be positive, MaxRetryDelay at least RetryDelay")
            .ValidateOnStart();
        return builder;
    }

    /// <summary>The service's mailer and the job that sends its due mail through the smarthost.</summary>
    public static IHostApplicationBuilder AddSmarthostMailer<TMailer>(this IHostApplicationBuilder builder) where TMailer : class, IDueMail
    {
        builder.Services.AddSingleton<TMailer>();
        builder.Services.AddHostedService<SmarthostMailerJob<TMailer>>();
        return builder;
    }
}
