namespace EvalHarness;

/// <summary>A model as a suite names it: <c>provider:model</c>, the wire protocol and the model id.</summary>
/// <param name="Provider">The provider whose wire protocol the model is reached by: <c>openai</c>, <c>anthropic</c>.</param>
/// <param name="Model">The model id, as the provider names it.</param>
public readonly record struct ModelRef(string Provider, string Model)
{
    /// <inheritdoc />
    public override string ToString() => $"{Provider}:{Model}";
}
