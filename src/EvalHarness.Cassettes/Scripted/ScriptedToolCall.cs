using System.Text.Json;

namespace EvalHarness.Cassettes.Scripted;

/// <summary>A tool call the scripted model makes: the tool's wire name and its arguments as a JSON object.</summary>
public sealed record ScriptedToolCall(string Name, JsonElement Arguments);
