using System.Text.Json;

namespace EvalHarness.BuiltIn;

/// <summary>A toolkit's world for one case: what its tools change, and what <c>expect.state</c> reads after the run.</summary>
public interface IToolkitState : IDisposable
{
    /// <summary>
    /// The value at a state path, given without the toolkit's name (<c>A100.status</c> for <c>orders.A100.status</c>),
    /// or null when there is nothing there.
    /// </summary>
    JsonElement? Read(string path);
}
