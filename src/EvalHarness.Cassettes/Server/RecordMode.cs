namespace EvalHarness.Cassettes.Server;

/// <summary>What the cassette server does with a request (the modes of vcr.py).</summary>
public enum RecordMode
{
    /// <summary>Replay only; a request with no recorded match is an error. The CI default.</summary>
    None,

    /// <summary>Send every request upstream and record it, replacing existing cassettes.</summary>
    All,
}
