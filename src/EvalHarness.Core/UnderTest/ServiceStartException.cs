namespace EvalHarness.Core.UnderTest;

/// <summary>A served agent that could not be started or never became ready; the message says why and quotes its last log lines.</summary>
internal sealed class ServiceStartException(string message) : Exception(message);
