namespace EvalHarness;

/// <summary>
/// The system under test: runs one case and says what happened. The built-in runtime is one implementation,
/// a team's own C# agent another, and a process in any language a third; the harness scores them alike.
/// </summary>
/// <remarks>
/// The agent talks to the model through <see cref="AgentCase.ChatClient"/> (or its own client pointed at
/// <see cref="AgentCase.OpenAIBaseUrl"/> or <see cref="AgentCase.AnthropicBaseUrl"/>): that traffic goes to the
/// case's cassette. Whatever the <see cref="AgentReport"/> leaves out (tool calls, tokens, cost, steps, the
/// transcript) the harness derives from the recorded traffic.
/// </remarks>
public interface IAgentUnderTest
{
    /// <summary>Runs one case to its end.</summary>
    /// <param name="agentCase">The case: its input, the model client pointed at its cassette, its clock.</param>
    /// <param name="cancellationToken">Cancelled when the run is stopped or the case is past its time limit.</param>
    /// <returns>The final answer, and whatever else the agent knows about its run.</returns>
    Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default);
}
