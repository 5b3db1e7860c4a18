using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EvalHarness.Cassettes.Tools;

/// <summary>Source-generated JSON for the tool proxy's own documents.</summary>
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(string))]
internal sealed partial class ToolJsonContext : JsonSerializerContext;
