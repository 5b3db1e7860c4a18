namespace EvalHarness.Core.Suites;

/// <summary>
/// A user played by a model (<c>user:</c> in a scenario): it gets a persona and a goal, reads the agent's replies and
/// writes the next message, until it writes <see cref="Stop"/> or has sent <see cref="MaxTurns"/> messages.
/// </summary>
/// <param name="Model">The simulator's model, called through its own provider; null for the agent's model.</param>
/// <param name="Instructions">The persona and the goal, in words.</param>
/// <param name="MaxTurns">The most messages it sends the agent.</param>
/// <param name="Stop">The marker it writes when its goal is met or given up; that message is not sent.</param>
/// <param name="Line">The line of <c>user:</c> in the suite file.</param>
public sealed record SimulatedUser(ModelRef? Model, string Instructions, int MaxTurns, string Stop, int Line)
{
    /// <summary>The stop marker when the suite gives none.</summary>
    public const string DefaultStop = "###STOP###";

    /// <summary>The most turns a simulated conversation may be given.</summary>
    public const int TurnLimit = 50;
}
