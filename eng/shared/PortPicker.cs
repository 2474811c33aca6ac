using System.Net;
using System.Net.Sockets;

namespace ProMTA.Ports;

/// <summary>
/// A port free on 127.0.0.1 for TCP and UDP, never handed out twice by this process. One source file compiled into the
/// AppHost (its servers' and services' ports, AppHost/Infrastructure/LocalPorts.cs) and the test kit (FreePort).
/// </summary>
internal static class PortPicker
{
    // Below Linux's ephemeral range (32768-60999). A port the OS hands out for port 0 is in that range, so any other
    // bind to port 0 or any outgoing connection could take it between our check and the server's own bind.
    private const int First = 20000;
    private const int Last = 32000;

    private static readonly HashSet<int> HandedOut = [];

    public static int Next()
    {
        lock (HandedOut)
        {
            while (true)
            {
                var port = Random.Shared.Next(First, Last);
                if (HandedOut.Add(port) && IsFree(port)) return port;
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            var tcp = new TcpListener(IPAddress.Loopback, port);
            tcp.Start();
            tcp.Stop();
            using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
