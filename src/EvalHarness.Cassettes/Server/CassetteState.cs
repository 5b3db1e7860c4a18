using EvalHarness.Cassettes.Format;

namespace EvalHarness.Cassettes.Server;

/// <summary>One cassette's state within a server's life: the loaded file, the replay cursor, what was served.</summary>
internal sealed class CassetteState(string id)
{
    private byte[]?[]? _responseBytes;
    private byte[]?[]? _requestBytes;
    private Dictionary<int, List<int>>? _byRequest;

    public string Id { get; } = id;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public int NextIndex { get; set; }

    public bool Loaded { get; set; }

    /// <summary>Whether requests now go upstream and into <see cref="Recording"/>.</summary>
    public bool IsRecording { get; set; }

    /// <summary>Unordered matching: which interactions have been served.</summary>
    public bool[]? Used { get; set; }

    public Cassette? Cassette { get; set; }

    /// <summary>When re-recording: the cassette as it was, to keep its recording time if nothing changes.</summary>
    public Cassette? Previous { get; set; }

    public List<Interaction> Recording { get; } = [];

    /// <summary>The model protocol the recording speaks, once a model call was recorded.</summary>
    public string? Provider { get; set; }

    public List<Interaction> Served { get; } = [];

    public List<CassetteMiss> Misses { get; } = [];

    /// <summary>The tool exchanges recorded so far (when recording), written with the model's interactions.</summary>
    public List<ToolExchange> ToolRecording { get; } = [];

    /// <summary>The tool exchanges answered (replayed or recorded), in order: what the agent's tools did.</summary>
    public List<ServedToolExchange> ToolServed { get; } = [];

    /// <summary>Which of the cassette's tool exchanges have been replayed.</summary>
    public bool[]? ToolUsed { get; set; }

    /// <summary>The case's own live MCP servers while recording, by name; closed when the case's activity is taken.</summary>
    public Dictionary<string, Tools.McpUpstream> Upstreams { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts the cassette over: its file is read again on the next request, replayed or recorded from #1.</summary>
    public void Restart()
    {
        (Loaded, IsRecording, NextIndex) = (false, false, 0);
        (Cassette, Previous, Used) = (null, null, null);
        (_responseBytes, _requestBytes, _byRequest) = (null, null, null);
        Recording.Clear();
        ToolRecording.Clear();
        ToolUsed = null;
    }

    /// <summary>
    /// Loads the cassette on the first request and decides whether it is replayed or recorded; returns why the file
    /// cannot be read, or null.
    /// </summary>
    public string? Open(CassetteStore store, CassetteServerOptions options)
    {
        if (Loaded)
        {
            return null;
        }

        Loaded = true;
        try
        {
            Cassette = store.Load(Id);
        }
        catch (CassetteFormatException ex) when (options.Mode == RecordMode.All)
        {
            // Being replaced anyway: a corrupt old file does not stop a re-recording.
            _ = ex;
        }
        catch (CassetteFormatException ex)
        {
            return ex.Message;
        }

        Previous = Cassette;
        ToolUsed = new bool[Cassette?.Tools?.Count ?? 0];
        if (options.Mode == RecordMode.NewEpisodes && Cassette?.Tools is { } tools)
        {
            // What is recorded stays: a new episode adds to it.
            ToolRecording.AddRange(tools);
        }

        if (options.Mode != RecordMode.All && Cassette is not null)
        {
            // Ready for replay: every interaction's request and answer as written on the wire.
            Prepare(options.Match == MatchMode.Unordered);
        }

        // all: always record; once and new_episodes: record a cassette that does not exist yet.
        IsRecording = options.Mode == RecordMode.All || (options.Mode != RecordMode.None && Cassette is null);
        return null;
    }

    /// <summary>Closes the case's live MCP servers (stopping those it started).</summary>
    public async Task CloseUpstreamsAsync()
    {
        foreach (var upstream in Upstreams.Values)
        {
            await upstream.DisposeAsync();
        }

        Upstreams.Clear();
    }

    /// <summary>The response body as sent, serialised once per interaction.</summary>
    public byte[] ResponseBytes(int index, RecordedResponse response)
    {
        _responseBytes ??= new byte[]?[Cassette!.Interactions.Count];
        return _responseBytes[index] ??= WireBytes.Response(response);
    }

    /// <summary>The recorded request body as the SDKs send it (compact JSON, escaped as they escape), written once per interaction.</summary>
    public byte[] RequestBytes(int index)
    {
        _requestBytes ??= new byte[]?[Cassette!.Interactions.Count];
        return _requestBytes[index] ??= CompactJson.Bytes(Cassette!.Interactions[index].Request.Body, relaxed: true);
    }

    /// <summary>Writes every interaction's request and answer as sent on the wire, and for unordered matching indexes the requests.</summary>
    public void Prepare(bool unordered)
    {
        for (var i = 0; i < Cassette!.Interactions.Count; i++)
        {
            RequestBytes(i);
            ResponseBytes(i, Cassette.Interactions[i].Response);
        }

        if (unordered)
        {
            Index();
        }
    }

    /// <summary>
    /// Unordered matching: the first unused interaction whose request is byte for byte <paramref name="raw"/>
    /// at <paramref name="path"/>, found through a hash of every recorded request (built on first use), or -1.
    /// </summary>
    public int FindUnusedSame(ReadOnlySpan<byte> raw, string path)
    {
        if (Index().TryGetValue(Hash(raw), out var candidates))
        {
            foreach (var i in candidates)
            {
                if (!Used![i] && string.Equals(Cassette!.Interactions[i].Request.Path, path, StringComparison.Ordinal) && raw.SequenceEqual(RequestBytes(i)))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    private Dictionary<int, List<int>> Index()
    {
        if (_byRequest is null)
        {
            _byRequest = [];
            for (var i = 0; i < Cassette!.Interactions.Count; i++)
            {
                var hash = Hash(RequestBytes(i));
                if (!_byRequest.TryGetValue(hash, out var list))
                {
                    _byRequest[hash] = list = [];
                }

                list.Add(i);
            }
        }

        return _byRequest;
    }

    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = default(HashCode);
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }
}
