using System.Text.Json;

namespace EvalHarness.Core.Suites;

/// <summary>A tool the agent is expected to call, with arguments that must match where given.</summary>
/// <param name="Name">The qualified tool name.</param>
/// <param name="Arguments">Arguments that must be present with these values; others are not checked.</param>
public sealed record ToolExpectation(string Name, IReadOnlyDictionary<string, JsonElement> Arguments);
