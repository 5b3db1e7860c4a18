using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// Hands the SDK's transport an endpoint's JSON-RPC error answer as an answer. A streamable HTTP server may refuse a request
/// with an HTTP error status whose body is the JSON-RPC error for it (a server with sessions refuses a
/// <c>2026-07-28</c> client's first request with 400 and <c>-32022</c>, and the client then falls back to
/// <c>initialize</c>). The SDK turns such an answer into an exception and drops its <c>data</c>; the client behind the
/// bridge must read it as the endpoint sent it, so this gives the SDK the same body with status 200. 401, 403 (a
/// credential) and 404 (an ended session) stay errors: the SDK acts on them.
/// </summary>
internal sealed class McpErrorAnswerHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.Method != HttpMethod.Post || response.IsSuccessStatusCode
            || response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound
            || response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return response;
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!IsErrorAnswer(body))
        {
            // Read, so put back: the SDK reads the body for its own message.
            var kept = new ByteArrayContent(body);
            kept.Headers.ContentType = response.Content.Headers.ContentType;
            response.Content = kept;
            return response;
        }

        var answer = new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new ByteArrayContent(body) };
        answer.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var header in response.Headers)
        {
            answer.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Dispose();
        return answer;
    }

    private static bool IsErrorAnswer(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage))) is JsonRpcError { Id.Id: not null };
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
