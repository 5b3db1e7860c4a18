using System.Text.Json;
using Microsoft.Extensions.AI;

namespace EvalHarness.BuiltIn;

/// <summary>
/// A toolkit of the harness's own. The built-in toolkits share one world, the case's <see cref="CaseEnvironment"/>
/// (the test runner reads the files toolkit's workspace, the clock is the fixtures' <c>now</c>), and their fixtures are
/// read, with line numbers, by the suite loader into <see cref="Fixtures"/>; their state paths are
/// <see cref="StateReader"/>'s.
/// </summary>
internal abstract class BuiltInToolkit : IToolkit
{
    public abstract string Name { get; }

    public virtual IReadOnlyList<string> FixtureKeys => [];

    public abstract IReadOnlyList<ToolkitTool> Tools { get; }

    public IToolkitState CreateState(ToolkitContext context) => new World(context.Environment, Name);

    /// <summary>A tool over the case's environment.</summary>
    protected static ToolkitTool Tool(string name, Func<CaseEnvironment, AIFunction> create, bool sideEffecting = false, int transientRetries = 0) =>
        new(name, state => create(((World)state).Environment)) { SideEffecting = sideEffecting, TransientRetries = transientRetries };

    private sealed class World(CaseEnvironment environment, string toolkit) : IToolkitState
    {
        public CaseEnvironment Environment { get; } = environment;

        public JsonElement? Read(string path) => StateReader.IsValid($"{toolkit}.{path}") ? StateReader.Read(Environment, $"{toolkit}.{path}") : null;

        public void Dispose()
        {
            // The environment is the case's, disposed with it.
        }
    }
}
