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
        var directory = Path.Combine(dataDirectory, "secrets");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        var secret = New();
        File.WriteAllText(path, secret);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return secret;
    }

    /// <summary>A fresh random secret (48 hex characters).</summary>
    public static string New() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
}
