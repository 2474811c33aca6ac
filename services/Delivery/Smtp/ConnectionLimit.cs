using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;

namespace ProMTA.Delivery.Smtp;

/// <summary>
/// At most <c>maxPerIp</c> open sessions per client address across every listener built from this factory. A connection
/// over the limit is answered <c>421 4.7.0</c> and closed before it becomes a session (RFC 5321 3.8: 421 at connect
/// means "try later"), so one busy sender cannot take every worker. SmtpServer has no such setting; its listener
/// factory is the documented extension point.
/// </summary>
public sealed class ConnectionLimit(int maxPerIp) : IEndpointListenerFactory
{
    private static readonly ReadOnlyMemory<byte> TooMany = "421 4.7.0 Too many connections from your address; try again later\r\n"u8.ToArray();
    private readonly ConcurrentDictionary<IPAddress, int> open = new();
    private readonly EndpointListenerFactory sockets = new();

    /// <summary>Sessions open right now from <paramref name="address"/>.</summary>
    public int OpenFrom(IPAddress address) => open.TryGetValue(address, out var n) ? n : 0;

    public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition) =>
        new Listener(sockets.CreateListener(endpointDefinition), this);

    private bool TryEnter(IPAddress address)
    {
        while (true)
        {
            var current = open.GetOrAdd(address, 0);
            if (current >= maxPerIp) return false;
            if (open.TryUpdate(address, current + 1, current)) return true;
        }
    }

    private void Leave(IPAddress address)
    {
        while (true)
        {
            var current = open.GetOrAdd(address, 1);
            if (current <= 1 ? open.TryRemove(new KeyValuePair<IPAddress, int>(address, current)) : open.TryUpdate(address, current - 1, current)) return;
        }
    }

    private sealed class Listener(IEndpointListener inner, ConnectionLimit limit) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            while (true)
            {
                var pipe = await inner.GetPipeAsync(context, cancellationToken);
                var address = SmtpSessionInfo.ClientAddress(context) ?? IPAddress.None;
                if (limit.TryEnter(address)) return new CountedPipe(pipe, () => limit.Leave(address));
                try
                {
                    await pipe.Output.WriteAsync(TooMany, cancellationToken);
                }
                catch (IOException)
                {
                    // the client is gone already
                }
                finally
                {
                    pipe.Dispose();
                    // The next connection is accepted into the same context, and the listener adds these keys afresh.
                    context.Properties.Remove(EndpointListener.LocalEndPointKey);
                    context.Properties.Remove(EndpointListener.RemoteEndPointKey);
                }
            }
        }

        public void Dispose() => inner.Dispose();
    }

    /// <summary>The session's connection; counted until SmtpServer disposes it at the end of the session.</summary>
    private sealed class CountedPipe(ISecurableDuplexPipe inner, Action release) : ISecurableDuplexPipe
    {
        private int released;

        public PipeReader Input => inner.Input;
        public PipeWriter Output => inner.Output;
        public bool IsSecure => inner.IsSecure;
        public SslProtocols SslProtocol => inner.SslProtocol;

        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default) =>
            inner.UpgradeAsync(certificate, protocols, cancellationToken);

        public void Dispose()
        {
            inner.Dispose();
            if (Interlocked.Exchange(ref released, 1) == 0) release();
        }
    }
}
