namespace EvalHarness.Agents.Tools;

/// <summary>Thrown by a tool whose failure may pass (a timeout, a busy backend): the runtime retries it.</summary>
public sealed class TransientToolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TransientToolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public TransientToolException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
