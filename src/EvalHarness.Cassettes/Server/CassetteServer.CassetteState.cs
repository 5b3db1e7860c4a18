using System.Text;
using System.Text.Json;
using EvalHarness.Cassettes.Format;

namespace EvalHarness.Cassettes.Server;

public sealed partial class CassetteServer
{
    /// <summary>One cassette's state within a server's life: the loaded file, the replay cursor, what was served.</summary>
    private sealed class CassetteState(string id)
    {
        private byte[]?[]? _responseBytes;

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

        public List<InteractionTimings> Served { get; } = [];

        public List<CassetteMiss> Misses { get; } = [];

        /// <summary>The response body as sent, serialised once per interaction.</summary>
        public byte[] ResponseBytes(int index, RecordedResponse response)
        {
            _responseBytes ??= new byte[]?[Cassette!.Interactions.Count];
            return _responseBytes[index] ??= Serialise(response);
        }

        private static byte[] Serialise(RecordedResponse response)
        {
            if (response.Events is { } events)
            {
                var stream = new StringBuilder();
                foreach (var e in events)
                {
                    if (e.Event is not null)
                    {
                        stream.Append("event: ").Append(e.Event).Append('\n');
                    }

                    // One line per event: the stored data is indented, an SSE data line must not be.
                    stream.Append("data: ").Append(e.Data.ValueKind == JsonValueKind.String ? e.Data.GetString() : JsonSerializer.Serialize(e.Data)).Append("\n\n");
                }

                return Encoding.UTF8.GetBytes(stream.ToString());
            }

            if (response.BodyText is { } text)
            {
                return Encoding.UTF8.GetBytes(text);
            }

            var body = response.Body ?? default;
            return body.ValueKind == JsonValueKind.String
                && !(response.Headers.TryGetValue("content-type", out var type) && type.Contains("json", StringComparison.OrdinalIgnoreCase))
                ? Encoding.UTF8.GetBytes(body.GetString()!)
                : body.ValueKind == JsonValueKind.Undefined ? [] : JsonSerializer.SerializeToUtf8Bytes(body); // compact: the file is indented, the wire need not be
        }
    }
}
