using System.Diagnostics;

namespace ProMTA.Delivery.Tests;

/// <summary>
/// Debian's python3-dkim (dkimpy, installed by eng/install-servers.sh) verifying a message: a DKIM implementation
/// independent of ours and of MimeKit's. The selector's TXT record is answered with the given public key.
/// </summary>
internal static class PythonDkim
{
    private const string Script = """
        import sys, logging, dkim
        logging.basicConfig(stream=sys.stderr, level=logging.DEBUG)
        key = sys.argv[1].encode()
        def txt(name, timeout=5):
            return b"v=DKIM1; k=rsa; p=" + key
        message = sys.stdin.buffer.read()
        print("pass" if dkim.verify(message, logger=logging.getLogger(), dnsfunc=txt) else "fail")
        """;

    /// <summary>"pass" when the first DKIM-Signature verifies; otherwise dkimpy's reasons.</summary>
    public static async Task<string> VerifyAsync(byte[] message, byte[] subjectPublicKeyInfo)
    {
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c", Script, Convert.ToBase64String(subjectPublicKeyInfo)])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var python = Process.Start(start) ?? throw new InvalidOperationException("could not start python3");
        var output = python.StandardOutput.ReadToEndAsync();
        var errors = python.StandardError.ReadToEndAsync();
        await python.StandardInput.BaseStream.WriteAsync(message);
        python.StandardInput.Close();
        await python.WaitForExitAsync();
        var verdict = (await output).Trim();
        return verdict == "pass" ? verdict : $"{verdict} (exit {python.ExitCode}): {await errors}";
    }

    /// <summary>Mail stored with LF line ends (smtp-sink's dump files) back in the wire's CRLF form.</summary>
    public static byte[] WithCrLf(byte[] message) =>
        System.Text.Encoding.Latin1.GetBytes(System.Text.Encoding.Latin1.GetString(message).Replace("\r\n", "\n").Replace("\n", "\r\n"));
}
