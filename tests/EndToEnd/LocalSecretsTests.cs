using System.Runtime.Versioning;
using ProMTA.AppHost.Infrastructure;
using ProMTA.TestKit;
using Xunit;

namespace ProMTA.EndToEnd;

/// <summary>Issue 14, section 6: the local run's secrets (.data/secrets) are readable by their owner only, from the start.</summary>
[UnsupportedOSPlatform("windows")] // file modes are a Unix notion
public sealed class LocalSecretsTests : IDisposable
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string data = Repository.NewDataDirectory("secrets");

    public void Dispose() => Repository.DeleteDataDirectory(data);

    [Fact]
    public void A_new_secret_is_an_owner_only_file_in_an_owner_only_folder()
    {
        var secret = LocalSecrets.GetOrCreate(data, "token-signing-key");

        var folder = Path.Combine(data, "secrets");
        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(folder));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(folder, "token-signing-key")));
        Assert.Equal(secret, LocalSecrets.GetOrCreate(data, "token-signing-key"));
        Assert.Equal(["token-signing-key"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void A_renewed_secret_replaces_a_world_readable_one_and_the_old_folder_is_closed()
    {
        var folder = Path.Combine(data, "secrets");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, OwnerOnlyFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var path = Path.Combine(folder, "internal-secret");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var renewed = LocalSecrets.Renew(data, "internal-secret");

        Assert.NotEqual("old", renewed);
        Assert.Equal(renewed, File.ReadAllText(path));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(path));
        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(folder));
    }
}
