using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// Writes JSON-RPC messages one JSON per line, as the MCP stdio transport frames them. The SDK's stream transport
/// drops what it is asked to send once its input has closed; this writer does not, so the answers still pending when a
/// client closes stdin reach it before <c>evalh mcp connect</c> exits.
/// </summary>
internal sealed class McpLineWriter(Stream output) : IDisposable
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly SemaphoreSlim _lock = new(1, 1);

    public async Task WriteAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(message, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage)));
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await output.WriteAsync(json, cancellationToken);
            await output.WriteAsync(NewLine, cancellationToken);
            await output.FlushAsync(cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();
}
