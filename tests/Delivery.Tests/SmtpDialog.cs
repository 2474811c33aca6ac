using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace ProMTA.Delivery.Tests;

/// <summary>A raw SMTP conversation over a socket, for the replies a library client would hide or refuse to provoke.</summary>
public sealed class SmtpDialog : IAsyncDisposable
{
    private readonly TcpClient tcp;
    private Stream stream;
    private StreamReader reader;

    private SmtpDialog(TcpClient tcp)
    {
        this.tcp = tcp;
        stream = tcp.GetStream();
        reader = new StreamReader(stream, Encoding.UTF8);
    }

    /// <summary>The greeting.</summary>
    public string Greeting { get; private set; } = "";

    /// <summary>Connects (from <paramref name="localAddress"/>, another loopback address, when given) and reads the greeting.</summary>
    public static async Task<SmtpDialog> ConnectAsync(int port, string? localAddress = null)
    {
        var tcp = new TcpClient(new IPEndPoint(IPAddress.Parse(localAddress ?? "127.0.0.1"), 0));
        await tcp.ConnectAsync("127.0.0.1", port);
        var dialog = new SmtpDialog(tcp);
        dialog.Greeting = await dialog.ReplyAsync();
        return dialog;
    }

    /// <summary>Sends one line and returns the whole reply, lines joined with \n.</summary>
    public async Task<string> SendAsync(string line)
    {
        await WriteAsync(line + "\r\n");
        return await ReplyAsync();
    }

    public async Task WriteAsync(string text)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text));
        await stream.FlushAsync();
    }

    /// <summary>One reply (all its lines); throws at end of stream.</summary>
    public async Task<string> ReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await reader.ReadLineAsync() ?? throw new EndOfStreamException($"connection closed after: {string.Join(" | ", lines)}");
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-') return string.Join('\n', lines);
        }
    }

    /// <summary>True when the server has closed the connection.</summary>
    public async Task<bool> ClosedAsync() => await reader.ReadLineAsync() is null;

    /// <summary>EHLO, AUTH PLAIN: an authenticated session.</summary>
    public async Task LoginAsync(string username, string password)
    {
        await SendAsync("EHLO client.test");
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{username}\0{password}"));
        var reply = await SendAsync($"AUTH PLAIN {token}");
        if (!reply.StartsWith("235")) throw new InvalidOperationException(reply);
    }

    /// <summary>STARTTLS and the handshake, limited to <paramref name="protocols"/>; returns the negotiated protocol.</summary>
    public async Task<SslProtocols> StartTlsAsync(SslProtocols protocols = SslProtocols.Tls12 | SslProtocols.Tls13)
    {
        var reply = await SendAsync("STARTTLS");
        if (!reply.StartsWith("220 2.0.0")) throw new InvalidOperationException(reply);
        var tls = new SslStream(stream, leaveInnerStreamOpen: true, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = protocols });
        stream = tls;
        reader = new StreamReader(tls, Encoding.UTF8);
        return tls.SslProtocol;
    }

    public async ValueTask DisposeAsync()
    {
        await stream.DisposeAsync();
        tcp.Dispose();
    }
}
