namespace ProMTA.TestKit;

public static class Repository
{
    /// <summary>The repository's root (where ProMTA.sln is), found from the test assembly's folder.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ProMTA.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("ProMTA.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A fresh folder under the git-ignored .data/ for one test run's server data.</summary>
    public static string NewDataDirectory(string name)
    {
        var path = Path.Combine(Root, ".data", "tests", $"{name}-{Guid.NewGuid():N}"[..(name.Length + 13)]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Removes a folder from <see cref="NewDataDirectory"/>, best effort: it is git-ignored, a leftover is harmless.</summary>
    public static void DeleteDataDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // e.g. a file a server still held open
        }
    }
}
