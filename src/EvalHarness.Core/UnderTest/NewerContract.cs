namespace EvalHarness.Core.UnderTest;

/// <summary>A shared assembly an agent was built on in a newer version than the harness that loads it carries.</summary>
/// <param name="Assembly">Its name, e.g. <c>Microsoft.Extensions.AI.Abstractions</c>.</param>
/// <param name="AgentVersion">The version the agent was built on (its package version where its copy says one).</param>
/// <param name="HarnessVersion">The version the harness carries, and gives the agent.</param>
internal sealed record NewerContract(string Assembly, string AgentVersion, string HarnessVersion);
