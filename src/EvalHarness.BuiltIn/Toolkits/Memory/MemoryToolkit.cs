namespace EvalHarness.BuiltIn;

/// <summary>Long-term memory (SQLite full-text search): remember and recall facts.</summary>
internal sealed class MemoryToolkit : BuiltInToolkit
{
    public override string Name => "memory";

    public override IReadOnlyList<string> FixtureKeys => ["memories"];

    public override IReadOnlyList<ToolkitTool> Tools { get; } =
    [
        Tool("remember", env => env.Memory.CreateTools()[0]),
        Tool("recall", env => env.Memory.CreateTools()[1]),
    ];
}
