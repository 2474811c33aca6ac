namespace ProMTA.AppHost.Infrastructure;

/// <summary>
/// A server from Debian's packages run by Aspire as an executable (one of eng/native/*.sh), which other
/// resources reference by connection string exactly as they would a container resource.
/// </summary>
public sealed class NativeServerResource(string name, string workingDirectory)
    : ExecutableResource(name, "bash", workingDirectory), IResourceWithConnectionString
{
    public ReferenceExpression ConnectionStringExpression { get; set; } = ReferenceExpression.Create($"");
}
