using System.Text.Json;

namespace EvalHarness.BuiltIn;

/// <summary>What a toolkit's state for one case is made from.</summary>
/// <param name="Fixtures">The suite's fixtures under the toolkit's <see cref="IToolkit.FixtureKeys"/>, as JSON (YAML read as JSON).</param>
/// <param name="Environment">The case's whole environment: the built-in toolkits' world, for a toolkit that builds on it.</param>
public sealed record ToolkitContext(IReadOnlyDictionary<string, JsonElement> Fixtures, CaseEnvironment Environment);
