namespace EvalHarness;

/// <summary>A model as a suite names it: <c>provider:model</c>, the wire protocol and the model id.</summary>
/// <param name="Provider">The provider whose wire protocol the model is reached by: <c>openai</c>, <c>anthropic</c>.</param>
/// <param name="Model">The model id, as the provider names it.</param>
public readonly record struct ModelRef(string Provider, string Model)
{
    /// <summary>
    /// Stands in for the model of a process agent whose suite names none: the agent chooses its own, and the provider
    /// and model of each call are read from its recorded traffic (the request's path and its <c>model</c> field). A
    /// judge or a simulated user then names its own model.
    /// </summary>
    public static ModelRef ChosenByTheAgent { get; } = new("openai", "chosen-by-the-agent");

    /// <summary>Whether this is <see cref="ChosenByTheAgent"/>: the suite names no model.</summary>
    public bool IsChosenByTheAgent => this == ChosenByTheAgent;

    /// <inheritdoc />
    public override string ToString() => $"{Provider}:{Model}";
}
