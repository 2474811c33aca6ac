using System.Net;
using System.Net.Sockets;

namespace ProMTA.TestKit;

public static class FreePort
{
    /// <summary>A TCP port the OS just had free on 127.0.0.1.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
