using ProMTA.ServiceDefaults.Auth;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace ProMTA.Gateway.Auth;

/// <summary>
/// Replaces the client's credentials with the gateway's signed statement of who the caller is: a client can
/// never send its own caller header, and the services never see API keys or tokens.
/// </summary>
public static class CallerHeaderTransform
{
    public static void Apply(TransformBuilderContext context) => context.AddRequestTransform(transform =>
    {
        var headers = transform.ProxyRequest.Headers;
        headers.Remove(CallerToken.HeaderName);
        headers.Authorization = null;
        var user = transform.HttpContext.User;
        if (user.Identity?.IsAuthenticated == true)
        {
            var services = transform.HttpContext.RequestServices;
            var caller = user.Caller();
            headers.Add(CallerToken.HeaderName, services.GetRequiredService<CallerToken>().Create(caller, services.GetRequiredService<TimeProvider>().GetUtcNow()));
        }
        return ValueTask.CompletedTask;
    });
}
