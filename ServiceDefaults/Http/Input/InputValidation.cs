using System.ComponentModel.DataAnnotations;
using System.IO.Pipelines;
using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ProMTA.ServiceDefaults.Http.Input;

/// <summary>
/// The one place every route's input is validated, before its handler runs: each argument bound from the route,
/// query, headers or body is checked by <see cref="InputInspector"/>, and any error is a 400 ValidationProblem that
/// names the field. Handlers keep only the rules that need their domain (a product exists, a deadline is ahead).
/// </summary>
public static class InputValidation
{
    /// <summary>
    /// The root every service maps its endpoints on (public, staff and internal alike), so no route can be added
    /// without the validation filter.
    /// </summary>
    public static RouteGroupBuilder MapPlatformEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGroup("").AddEndpointFilterFactory(Create);

    private static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var isService = context.ApplicationServices.GetService<IServiceProviderIsService>();
        var checks = context.MethodInfo.GetParameters()
            .Select((parameter, index) => (Check: CheckFor(parameter, isService), Index: index))
            .Where(c => c.Check is not null)
            .ToList();
        if (checks.Count == 0) return next;
        return async invocation =>
        {
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var (check, index) in checks)
            {
                check!(invocation.Arguments[index], errors);
            }
            return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : await next(invocation);
        };
    }

    private static Action<object?, IDictionary<string, string[]>>? CheckFor(ParameterInfo parameter, IServiceProviderIsService? isService)
    {
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        if (IsInfrastructure(type) || parameter.GetCustomAttribute<FromServicesAttribute>() is not null
            || parameter.GetCustomAttribute<FromKeyedServicesAttribute>() is not null || isService?.IsService(type) == true)
        {
            return null;
        }
        var attributes = parameter.GetCustomAttributes<ValidationAttribute>(true).ToList();
        if (type == typeof(string) || (attributes.Count > 0 && !InputInspector.IsComplex(type)))
        {
            var name = parameter.GetCustomAttribute<FromHeaderAttribute>()?.Name
                ?? parameter.GetCustomAttribute<FromQueryAttribute>()?.Name
                ?? parameter.GetCustomAttribute<FromRouteAttribute>()?.Name
                ?? parameter.Name ?? "value";
            return (value, errors) => InputInspector.CheckValue(name, value, attributes, errors);
        }
        if (!InputInspector.IsComplex(type)) return null;
        // A body is reported field by field from its root; an [AsParameters] object names its own query/route fields.
        return (value, errors) =>
        {
            if (value is not null) InputInspector.CheckObject("", value, errors);
        };
    }

    private static bool IsInfrastructure(Type type) =>
        type == typeof(CancellationToken) || type == typeof(HttpContext) || type == typeof(HttpRequest) || type == typeof(HttpResponse)
        || type == typeof(ClaimsPrincipal) || type == typeof(Stream) || type == typeof(PipeReader) || typeof(IFormFile).IsAssignableFrom(type)
        || typeof(IFormFileCollection).IsAssignableFrom(type);
}
