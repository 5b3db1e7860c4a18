using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace EvalHarness.Cassettes.Tools;

/// <summary>
/// A live connection to one MCP server while recording, through the official SDK's client transports (stdio or
/// streamable HTTP). It forwards the agent's messages under ids of its own, so cases that share a server
/// (<c>per: run</c>) never mix their answers, and it answers requests from the server itself (sampling, roots) with an
/// error: the harness records what the agent asks of its tools, not the other way round.
/// </summary>
internal sealed class McpUpstream : IAsyncDisposable
{
    private readonly ITransport _transport;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonRpcMessage>> _pending = new(StringComparer.Ordinal);
    private readonly Queue<string> _stderr;
    private readonly Task _reading;
    private long _nextId;

    private McpUpstream(ITransport transport, Queue<string> stderr)
    {
        _transport = transport;
        _stderr = stderr;
        _reading = Task.Run(ReadAsync);
    }

    /// <summary>Which server this is, for messages: <c>inventory (node inventory-server.mjs)</c>.</summary>
    public required string Description { get; init; }

    /// <summary>The answer the server gave the first <c>initialize</c>: a server shared by the run is initialised once.</summary>
    public JsonNode? InitializeResult { get; set; }

    /// <summary>Whether the server has answered anything yet: one that dies before it ever did never came up.</summary>
    public bool Answered { get; private set; }

    /// <summary>Whether the agent (the run's first case, for a shared server) has sent <c>notifications/initialized</c>.</summary>
    public bool Initialized { get; set; }

    /// <summary>The last lines the server wrote to stderr, for an error that needs them.</summary>
    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return string.Join(Environment.NewLine, _stderr);
            }
        }
    }

    /// <summary>Starts (stdio) or connects to (HTTP) <paramref name="server"/>.</summary>
    /// <exception cref="InvalidOperationException">It could not be started or reached; the message says which and why.</exception>
    public static async Task<McpUpstream> ConnectAsync(ToolServer server, CancellationToken cancellationToken)
    {
        var stderr = new Queue<string>();
        var description = server.Url is { } url ? $"'{server.Name}' ({url.GetLeftPart(UriPartial.Path)})" : $"'{server.Name}' ({string.Join(' ', server.Command)})";
        IClientTransport client = server.Url is { } endpoint
            ? new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = endpoint,
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = server.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase),
                Name = server.Name,
            })
            : new StdioClientTransport(new StdioClientTransportOptions
            {
                Command = server.Command[0],
                Arguments = [.. server.Command.Skip(1)],
                WorkingDirectory = server.WorkingDirectory,
                EnvironmentVariables = server.Env.ToDictionary(e => e.Key, e => (string?)e.Value, StringComparer.Ordinal),
                Name = server.Name,
                StandardErrorLines = line =>
                {
                    lock (stderr)
                    {
                        stderr.Enqueue(line);
                        if (stderr.Count > 20)
                        {
                            stderr.Dequeue();
                        }
                    }
                },
            });
        try
        {
            var transport = await client.ConnectAsync(cancellationToken);
            return new McpUpstream(transport, stderr) { Description = description };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"The MCP server {description} could not be {(server.Url is null ? "started" : "reached")}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Sends a request and waits for its answer (a response or an error) at most <paramref name="timeout"/>; the answer
    /// carries the upstream's id, which the caller replaces with the agent's.
    /// </summary>
    /// <exception cref="TimeoutException">No answer in time.</exception>
    /// <exception cref="IOException">The server closed the connection (a stdio server exited) before it answered.</exception>
    public async Task<JsonRpcMessage> RequestAsync(string method, JsonNode? parameters, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var key = id.ToString(CultureInfo.InvariantCulture);
        var answer = new TaskCompletionSource<JsonRpcMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[key] = answer;
        try
        {
            if (_reading.IsCompleted)
            {
                throw new IOException($"the MCP server {Description} has closed the connection{Tail()}");
            }

            // The streamable HTTP transport reads the answer within its send, so the time-out covers both.
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            patience.CancelAfter(timeout);
            await _transport.SendMessageAsync(new JsonRpcRequest { Id = new RequestId(id), Method = method, Params = parameters }, patience.Token);
            return await answer.Task.WaitAsync(patience.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the MCP server {Description} did not answer {method} within {timeout.TotalSeconds:0.###} s");
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    /// <summary>Sends a notification (or the agent's answer to nothing: the server never asked).</summary>
    public Task NotifyAsync(string method, JsonNode? parameters, CancellationToken cancellationToken) =>
        _transport.SendMessageAsync(new JsonRpcNotification { Method = method, Params = parameters }, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _transport.DisposeAsync();
        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private string Tail() => StandardError is { Length: > 0 } lines ? $"; it wrote:{Environment.NewLine}{lines}" : ".";

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var message in _transport.MessageReader.ReadAllAsync())
            {
                switch (message)
                {
                    case JsonRpcRequest request:
                        // Sampling, roots, elicitation: the agent never sees these through the harness, so they get an error.
                        await _transport.SendMessageAsync(new JsonRpcError
                        {
                            Id = request.Id,
                            Error = new JsonRpcErrorDetail { Code = -32601, Message = $"evalh records what an agent asks of its MCP servers; it does not pass on '{request.Method}' requests from a server." },
                        });
                        break;
                    case JsonRpcMessageWithId answer when _pending.TryGetValue(answer.Id.ToString(), out var waiting):
                        Answered = true;
                        waiting.TrySetResult(answer);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Ends the same way as a closed stream: whoever waits learns the server is gone.
        }
        finally
        {
            foreach (var waiting in _pending.Values)
            {
                waiting.TrySetException(new IOException($"the MCP server {Description} closed the connection before it answered{Tail()}"));
            }
        }
    }
}
