using System.Security.Cryptography;

namespace ProMTA.AppHost.Infrastructure;

/// <summary>
/// Secrets of a local run, generated once and kept in the git-ignored data folder: stable across restarts
/// (the servers' data outlives a run), never committed, different on every machine.
/// </summary>
public static class LocalSecrets
{
    public static string GetOrCreate(string dataDirectory, string name)
    {
        var path = PathOf(dataDirectory, name);
        return File.Exists(path) ? File.ReadAllText(path).Trim() : Renew(dataDirectory, name);
    }

    /// <summary>A new secret for this run, also written to the data folder so local tools (the load generator) can use it.</summary>
    public static string Renew(string dataDirectory, string name)
    {
        var path = PathOf(dataDirectory, name);
        var secret = New();
        File.WriteAllText(path, secret);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return secret;
    }

    private static string PathOf(string dataDirectory, string name)
    {
        var directory = Path.Combine(dataDirectory, "secrets");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name);
    }

    /// <summary>A fresh random secret (48 hex characters).</summary>
    public static string New() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
}
