namespace EvalHarness.Cassettes.Server;

/// <summary>What the cassette server does with a request (the modes of vcr.py).</summary>
public enum RecordMode
{
    /// <summary>Replay only; a request with no recorded match is an error. The CI default.</summary>
    None,

    /// <summary>Replay a cassette that exists; record one that does not yet (all of it).</summary>
    Once,

    /// <summary>
    /// Replay what matches; from the first request that does not, send upstream and record. With ordered
    /// matching the recording from that point replaces the old rest of the cassette; unordered, it is added.
    /// </summary>
    NewEpisodes,

    /// <summary>Send every request upstream and record it, replacing existing cassettes.</summary>
    All,
}
