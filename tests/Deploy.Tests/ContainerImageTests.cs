using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;
using ProMTA.TestKit;
using static ProMTA.Deploy.Tests.Manifests;

namespace ProMTA.Deploy.Tests;

/// <summary>
/// The gateway's image as deploy/scripts/build-images.sh builds it (dotnet publish /t:PublishContainer on the base
/// image made from Debian packages, served by a local registry): the OCI archive's config runs what the Deployment
/// expects, as the user and on the port it expects, and the image's file system, started the way a container
/// runtime would (its layers unpacked, chroot, the image's user, entrypoint and working directory), answers /alive.
/// The gateway because it starts without a database or a broker. Needs root (mmdebstrap, chroot), as CI has.
/// </summary>
public sealed class ContainerImageTests
{
    [Fact]
    public async Task The_published_image_runs_the_service_as_the_deployments_non_root_user_on_its_port()
    {
        var output = Repository.NewDataDirectory("images");
        try
        {
            await RunAsync("bash", [Path.Combine(Repository.Root, "deploy", "scripts", "build-images.sh"), "Gateway"], ("OUT", output));
            var archive = Path.Combine(output, "gateway.tar");
            var image = OciArchive.Read(archive);

            var config = image.Config["config"]!;
            Assert.Equal(["dotnet", "/app/Gateway.dll"], config["Entrypoint"]!.AsArray().Select(e => (string?)e));
            Assert.Equal("/app/", (string?)config["WorkingDir"]);
            Assert.Equal("dev", image.Tag);

            var deployment = Container(RenderedOverlay.Get("production").Single("Deployment", "gateway"));
            var runAsUser = String(deployment, "securityContext", "runAsUser");
            Assert.NotEqual("0", runAsUser);
            Assert.Equal(runAsUser, (string?)config["User"]);
            var port = EnvValue(deployment, "ASPNETCORE_HTTP_PORTS");
            Assert.Equal([$"{port}/tcp"], config["ExposedPorts"]!.AsObject().Select(p => p.Key));
            Assert.Contains($"ASPNETCORE_HTTP_PORTS={port}", config["Env"]!.AsArray().Select(e => (string?)e));

            // The app in its own layer on top of the base; the base holds the runtime the app needs and the user it runs as.
            var files = image.Layers.Select(OciArchive.Files).ToList();
            Assert.Contains("app/Gateway.dll", files[^1].Keys);
            Assert.Contains(files[0].Keys, f => f.StartsWith("usr/share/dotnet/shared/Microsoft.AspNetCore.App/10.", StringComparison.Ordinal));
            Assert.Contains($"app:x:{runAsUser}:{runAsUser}:", files[0]["etc/passwd"]);

            await RunImageAsync(archive, output, image, async port =>
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                Assert.Equal("Healthy", await EventuallyAsync(() => http.GetStringAsync("/alive")));
            });
        }
        finally
        {
            Repository.DeleteDataDirectory(output);
        }
    }

    /// <summary>
    /// Unpacks the layers in order into a root file system and runs the entrypoint in it as the image's user, in its
    /// own mount and PID namespaces with /proc, /dev and /tmp mounted (what the .NET runtime needs), on a free port.
    /// </summary>
    private static async Task RunImageAsync(string archive, string work, OciArchive image, Func<int, Task> probe)
    {
        var layout = Directory.CreateDirectory(Path.Combine(work, "layout")).FullName;
        var rootfs = Directory.CreateDirectory(Path.Combine(work, "rootfs")).FullName;
        await RunAsync("tar", ["-xf", archive, "-C", layout]);
        foreach (var layer in image.LayerPaths)
        {
            await RunAsync("tar", ["-xzf", Path.Combine(layout, layer), "-C", rootfs, "--numeric-owner"]);
        }
        var config = image.Config["config"]!;
        var port = FreePort.Next();
        var env = string.Join(' ', config["Env"]!.AsArray().Select(e => Quote((string)e!))
            .Append($"ASPNETCORE_HTTP_PORTS={port}").Append($"Auth__InternalSecret={Guid.NewGuid():N}{Guid.NewGuid():N}"));
        var entrypoint = string.Join(' ', config["Entrypoint"]!.AsArray().Select(e => Quote((string)e!)));
        var inside = $"cd {Quote((string)config["WorkingDir"]!)} && exec {entrypoint}";
        var script = $"mount -t proc proc {rootfs}/proc && mount --rbind /dev {rootfs}/dev && mount -t tmpfs tmpfs {rootfs}/tmp && " +
            $"exec chroot --userspec={config["User"]}:{config["User"]} {rootfs} /usr/bin/env -i {env} /bin/sh -c {Quote(inside)}";
        var start = new ProcessStartInfo("unshare", ["--mount", "--pid", "--fork", "--kill-child", "sh", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var container = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        container.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        container.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        container.BeginOutputReadLine();
        container.BeginErrorReadLine();
        try
        {
            await probe(port);
        }
        catch (Exception ex)
        {
            lock (log) throw new Xunit.Sdk.XunitException($"the image did not answer: {ex.Message}\n{log}");
        }
        finally
        {
            container.Kill(entireProcessTree: true);
            await container.WaitForExitAsync();
        }
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> attempt)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return await attempt();
            }
            catch (HttpRequestException) when (i < 120)
            {
                await Task.Delay(500);
            }
        }
    }

    private static async Task RunAsync(string file, string[] args, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
    }

    /// <summary>An OCI image layout in a tar (what ContainerArchiveOutputPath writes), read without a container engine.</summary>
    private sealed record OciArchive(string Tag, JsonNode Config, IReadOnlyList<byte[]> Layers, IReadOnlyList<string> LayerPaths)
    {
        public static OciArchive Read(string path)
        {
            var entries = new Dictionary<string, byte[]>();
            using (var tar = new TarReader(File.OpenRead(path)))
            {
                while (tar.GetNextEntry() is { } entry)
                {
                    if (entry.DataStream is null) continue;
                    using var data = new MemoryStream();
                    entry.DataStream.CopyTo(data);
                    entries[entry.Name.TrimStart('.', '/')] = data.ToArray();
                }
            }
            JsonNode Blob(JsonNode? descriptor) => JsonNode.Parse(entries[BlobPath(descriptor)])!;
            var index = JsonNode.Parse(entries["index.json"])!["manifests"]!.AsArray().Single()!;
            var manifest = Blob(index);
            return new OciArchive(
                (string)index["annotations"]!["org.opencontainers.image.ref.name"]!,
                Blob(manifest["config"]),
                [.. manifest["layers"]!.AsArray().Select(l => entries[BlobPath(l)])],
                [.. manifest["layers"]!.AsArray().Select(BlobPath)]);
        }

        private static string BlobPath(JsonNode? descriptor) => "blobs/" + ((string)descriptor!["digest"]!).Replace(':', '/');

        /// <summary>A gzipped layer's regular files: path -> text of the small ones (etc/passwd), empty for the rest.</summary>
        public static Dictionary<string, string> Files(byte[] layer)
        {
            var files = new Dictionary<string, string>();
            using var tar = new TarReader(new GZipStream(new MemoryStream(layer), CompressionMode.Decompress));
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                var name = entry.Name.TrimStart('.', '/');
                files[name] = name == "etc/passwd" && entry.DataStream is not null ? new StreamReader(entry.DataStream).ReadToEnd() : "";
            }
            return files;
        }
    }
}
