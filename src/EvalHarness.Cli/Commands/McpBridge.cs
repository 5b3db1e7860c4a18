using System.Threading.Channels;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// Relays JSON-RPC messages between a stdio MCP client and a streamable HTTP MCP endpoint: each message the client writes
/// is sent to the endpoint, and every message the endpoint sends (answers, and its own notifications and requests,
/// whichever SSE stream they come on) is written to the client.
/// </summary>
internal sealed class McpBridge(ChannelReader<JsonRpcMessage> fromClient, McpLineWriter toClient, ITransport endpoint, Uri url, TextWriter log)
{
    private const string Prefix = "evalh mcp connect";

    private readonly TaskCompletionSource<bool> _firstReached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Relays until the client closes its input and every answer it waits for is written (true), or until the endpoint
    /// cannot be reached with the first message or ends the session (false, and the log says why).
    /// </summary>
    public async Task<bool> RunAsync(CancellationToken cancellationToken = default)
    {
        var toClientTask = RelayToClientAsync(cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var toEndpointTask = RelayToEndpointAsync(stop.Token);
        // The endpoint's channel may complete when the first message fails too; then the client is still being answered.
        if (await Task.WhenAny(toEndpointTask, toClientTask) == toClientTask
            && await Task.WhenAny(_firstReached.Task, toEndpointTask) == _firstReached.Task && _firstReached.Task.Result)
        {
            var ended = await toClientTask;
            await stop.CancelAsync();
            try
            {
                await toEndpointTask;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await log.WriteLineAsync($"error: the MCP endpoint {url} ended the session{(ended is null ? "" : $": {ended.Message}")}. "
                + "A case's endpoint lives as long as its case: start the agent from evalh (run, record or serve) and connect while the case runs.");
            return false;
        }

        var reached = await toEndpointTask;

        // Disposing ends the session (DELETE) and completes the endpoint's channel, so the relay writes what is left and stops.
        await endpoint.DisposeAsync();
        await toClientTask;
        return reached;
    }

    /// <summary>Writes the endpoint's messages to the client until the endpoint's channel completes; the error it completed with, if any.</summary>
    private async Task<Exception?> RelayToClientAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if (!await endpoint.MessageReader.WaitToReadAsync(cancellationToken))
                {
                    return null;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return ex;
            }

            while (endpoint.MessageReader.TryRead(out var message))
            {
                try
                {
                    await toClient.WriteAsync(message, cancellationToken);
                }
                catch (IOException ex)
                {
                    // The client closed its end of the pipe: nobody is left to read this one.
                    await log.WriteLineAsync($"{Prefix}: could not write to the client: {ex.Message}");
                }
            }
        }
    }

    /// <summary>
    /// Sends the client's messages to the endpoint until the client closes its input, then waits for the answers still
    /// pending; false when the first message could not reach the endpoint. The first message and every <c>initialize</c> are awaited: the first tells whether the endpoint can be
    /// reached, and the session id comes with initialize's answer, which the next message must carry. Another request is
    /// sent without waiting, since its POST lasts until its answer, so a slow tool call holds up nothing; notifications
    /// and answers go in order.
    /// </summary>
    private async Task<bool> RelayToEndpointAsync(CancellationToken cancellationToken)
    {
        var pending = new List<Task>();
        var first = true;
        await foreach (var message in fromClient.ReadAllAsync(cancellationToken))
        {
            if (first)
            {
                first = false;
                var failure = await SendAsync(message, logFailure: false, cancellationToken);
                _firstReached.TrySetResult(failure is null);
                if (failure is not null)
                {
                    // A stdio server lives until its client closes stdin: the client reads this answer to each request it
                    // still sends (an SDK falls back from server/discover to initialize), not a pipe that broke under it.
                    await log.WriteLineAsync($"error: {Unreachable(failure)}");
                    await AnswerUntilClosedAsync(failure, cancellationToken);
                    return false;
                }
            }
            else if (message is JsonRpcRequest { Method: not RequestMethods.Initialize })
            {
                pending.RemoveAll(t => t.IsCompleted);
                pending.Add(SendAsync(message, logFailure: true, cancellationToken));
            }
            else
            {
                await SendAsync(message, logFailure: true, cancellationToken);
            }
        }

        await Task.WhenAll(pending);
        return true;
    }

    /// <summary>Answers each request the client sends with the endpoint's failure until the client closes stdin.</summary>
    private async Task AnswerUntilClosedAsync(Exception failure, CancellationToken cancellationToken)
    {
        await foreach (var message in fromClient.ReadAllAsync(cancellationToken))
        {
            if (message is JsonRpcRequest request)
            {
                await toClient.WriteAsync(ErrorAnswer(request, failure), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Sends one message; when the endpoint fails it, the client gets a JSON-RPC error for a request (so it does not wait
    /// forever) and, unless the caller reports it itself, the log a line. Returns the failure.
    /// </summary>
    private async Task<Exception?> SendAsync(JsonRpcMessage message, bool logFailure, CancellationToken cancellationToken)
    {
        try
        {
            await endpoint.SendMessageAsync(message, cancellationToken);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var what = message switch
            {
                JsonRpcRequest request => $"{request.Method} (id {request.Id})",
                JsonRpcNotification notification => notification.Method,
                JsonRpcMessageWithId answer => $"the answer to id {answer.Id}",
                _ => "a message",
            };
            if (logFailure)
            {
                await log.WriteLineAsync($"{Prefix}: {url} failed {what}: {Describe(ex)}");
            }

            if (message is JsonRpcRequest failed)
            {
                await toClient.WriteAsync(ErrorAnswer(failed, ex), cancellationToken);
            }

            return ex;
        }
    }

    private JsonRpcError ErrorAnswer(JsonRpcRequest request, Exception ex) => new()
    {
        Id = request.Id,
        Error = new JsonRpcErrorDetail
        {
            Code = ex is McpProtocolException protocol ? (int)protocol.ErrorCode : (int)McpErrorCode.InternalError,
            Message = $"{Prefix}: the MCP endpoint {url} failed {request.Method}: {Describe(ex)}",
        },
    };

    private string Unreachable(Exception ex)
    {
        var hint = ex is HttpRequestException { StatusCode: System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden }
            ? "If the endpoint needs a credential, pass it with --header \"Authorization: Bearer ${TOKEN}\"."
            : "Check that the agent was started by evalh (run, record or serve) while its case runs, and that the URL is the "
                + "one the case gave it in EVALH_MCP_<NAME>_URL (http://127.0.0.1:<port>/c/<cassette-id>/mcp/<name>).";
        return $"cannot connect to the MCP endpoint {url}: {Describe(ex)}. {hint}";
    }

    private static string Describe(Exception ex) => ex switch
    {
        HttpRequestException { StatusCode: { } status } => $"it answered HTTP {(int)status} {status}",
        HttpRequestException { InnerException: { } inner } => inner.Message,
        _ => ex.Message,
    };
}
