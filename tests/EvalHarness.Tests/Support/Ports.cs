using System.Net;
using System.Net.Sockets;

namespace EvalHarness.Tests.Support;

/// <summary>Ports on 127.0.0.1, for tests that start services and check they are gone.</summary>
internal static class Ports
{
    /// <summary>A port nothing listens on: one the system just gave out and took back.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether something accepts connections on <paramref name="port"/>.</summary>
    public static bool Accepts(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
