using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EvalHarness.Cassettes.Server;

/// <summary>
/// An HTTP handler that gives a cassette request to the cassette server's handler in this process, without a socket:
/// the client's SDK still serialises a real request and reads a real response (status, headers, body), and the server
/// still matches, records and logs it as it would a request over loopback. Anything that is not a cassette URL, and
/// every request when the server replays with recorded timing, goes to <paramref name="network"/> instead.
/// </summary>
/// <remarks>
/// A replay of a thousand single-turn cases spends about half its CPU on the HTTP round trip on both ends of loopback
/// (docs/performance.md): this takes the sockets, Kestrel's parsing and the connection pool out of it, and keeps what
/// the harness promises (the SDK's own bytes, the server's matching, the same results). The response is buffered,
/// which is what an instant replay's response is anyway; a realistic replay paces its bytes, so it keeps the socket.
/// </remarks>
internal sealed class InProcessHandler(Func<HttpContext, Task> handle, Uri baseAddress, IServiceProvider? services, HttpMessageHandler network)
    : DelegatingHandler(network)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        if (uri.Scheme != baseAddress.Scheme || uri.Authority != baseAddress.Authority || !uri.AbsolutePath.StartsWith(CassetteRoute.Prefix, StringComparison.Ordinal))
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var context = new DefaultHttpContext { RequestAborted = cancellationToken };
        if (services is not null)
        {
            context.RequestServices = services;
        }

        var lifetime = new Lifetime(cancellationToken);
        context.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        context.Request.Method = request.Method.Method;
        context.Request.Scheme = uri.Scheme;
        context.Request.Host = new HostString(uri.Authority);
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(uri.Query);
        context.Request.RouteValues[CassetteRoute.Rest] = path[CassetteRoute.Prefix.Length..];
        foreach (var (name, values) in request.Headers)
        {
            context.Request.Headers.Append(name, values.ToArray());
        }

        if (request.Content is { } content)
        {
            foreach (var (name, values) in content.Headers)
            {
                context.Request.Headers.Append(name, values.ToArray());
            }

            var body = await content.ReadAsByteArrayAsync(cancellationToken);
            context.Request.ContentLength = body.Length;
            context.Request.Body = new MemoryStream(body, writable: false);
        }

        var responseBody = new MemoryStream();
        context.Response.Body = responseBody;
        await handle(context);
        cancellationToken.ThrowIfCancellationRequested();

        responseBody.Position = 0;
        if (lifetime.Aborted && responseBody.Length == 0)
        {
            // A recorded fault: the server dropped the connection before answering, as a socket would report it.
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "The cassette server dropped the connection (a recorded fault).");
        }

        var response = new HttpResponseMessage((HttpStatusCode)context.Response.StatusCode)
        {
            RequestMessage = request,
            Content = new StreamContent(lifetime.Aborted ? new CutStream(responseBody) : responseBody),
        };
        foreach (var (name, values) in context.Response.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values!))
            {
                response.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values!);
            }
        }

        return response;
    }

    /// <summary>The request's lifetime: <see cref="HttpContext.Abort"/> is how the server drops a connection to replay a fault.</summary>
    private sealed class Lifetime(CancellationToken aborted) : IHttpRequestLifetimeFeature
    {
        public bool Aborted { get; private set; }

        public CancellationToken RequestAborted { get; set; } = aborted;

        public void Abort() => Aborted = true;
    }

    /// <summary>What was written before the connection dropped (a cut stream's events), then the error a socket gives.</summary>
    private sealed class CutStream(MemoryStream written) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) =>
            written.Read(buffer, offset, count) is var read && read > 0 || count == 0 ? read
            : throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely: the cassette server dropped the connection (a recorded fault).");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
