namespace EvalHarness.BuiltIn;

/// <summary>
/// A set of tools the built-in runtime can give its agent, with the world they act on: fixtures it reads from the
/// suite, a fresh state per case, and the state paths assertions read after the run. The built-in toolkits
/// (<c>orders</c>, <c>mail</c>, <c>files</c> …) implement it, and so can a team's own: list the assembly under the
/// suite's <c>toolkits:</c>.
/// </summary>
public interface IToolkit
{
    /// <summary>
    /// The first segment of its tools' qualified names (<c>orders</c> in <c>orders.refund_order</c>) and of its state
    /// paths (<c>orders.A100.status</c>). Letters, digits and '_'.
    /// </summary>
    string Name { get; }

    /// <summary>The keys under a suite's <c>fixtures:</c> that it reads; none may be another toolkit's.</summary>
    IReadOnlyList<string> FixtureKeys { get; }

    /// <summary>Its tools; a suite names one as <c>&lt;Name&gt;.&lt;tool name&gt;</c>.</summary>
    IReadOnlyList<ToolkitTool> Tools { get; }

    /// <summary>
    /// A fresh state for one case, seeded from the suite's fixtures (it must also accept none: the harness makes one
    /// over no fixtures to read its tools' names). Throw <see cref="ArgumentException"/> with a message for bad fixtures.
    /// </summary>
    IToolkitState CreateState(ToolkitContext context);
}
