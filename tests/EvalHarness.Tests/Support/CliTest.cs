namespace EvalHarness.Tests.Support;

/// <summary>A test of the command line: a temporary folder, and what <c>evalh</c> printed, both gone with the test.</summary>
public abstract class CliTest : IDisposable
{
    /// <summary>The running test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A folder of the test's own.</summary>
    private protected TempDirectory Temp { get; } = new();

    /// <summary>What evalh wrote to its console.</summary>
    private protected StringWriter Out { get; } = new();

    /// <summary>What evalh wrote to standard error.</summary>
    private protected StringWriter Error { get; } = new();

    /// <summary>Runs evalh in process with <paramref name="args"/>; its output goes to <see cref="Out"/> and <see cref="Error"/>.</summary>
    private protected Task<int> Evalh(params string[] args) => Support.Evalh.InvokeAsync(Out, Error, args, Ct);

    /// <inheritdoc />
    public void Dispose()
    {
        Temp.Dispose();
        Out.Dispose();
        Error.Dispose();
        GC.SuppressFinalize(this);
    }
}
