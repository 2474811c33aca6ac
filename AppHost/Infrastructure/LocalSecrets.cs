using System.Security.Cryptography;

namespace ProMTA.AppHost.Infrastructure;

/// <summary>
/// Secrets of a local run, generated once and kept in the git-ignored data folder: stable across restarts
/// (the servers' data outlives a run), never committed, different on every machine. The folder is created 0700 and
/// each file 0600 as it is created (never written first and restricted after, which would leave a window in which
/// another local user could read it).
/// </summary>
public static class LocalSecrets
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

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
        Write(path, secret);
        return secret;
    }

    /// <summary>
    /// Written to a new file created owner-only, then moved over the old one: a reader sees the old secret or the new
    /// one, and the new one never exists with wider permissions.
    /// </summary>
    public static void Write(string path, string secret)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnlyFile;
        using (var file = new FileStream(temporary, options))
        using (var writer = new StreamWriter(file))
        {
            writer.Write(secret);
        }
        File.Move(temporary, path, overwrite: true);
    }

    public static string FolderOf(string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, "secrets");
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerOnlyFolder);
            // A folder made by an older version (0755) is closed as well.
            if (File.GetUnixFileMode(directory) != OwnerOnlyFolder) File.SetUnixFileMode(directory, OwnerOnlyFolder);
        }
        return directory;
    }

    private static string PathOf(string dataDirectory, string name) => Path.Combine(FolderOf(dataDirectory), name);

    /// <summary>A fresh random secret (48 hex characters).</summary>
    public static string New() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
}
