namespace EvalHarness.Cassettes.Server;

/// <summary>What the cassette server did with a request.</summary>
public enum RequestOutcome
{
    /// <summary>Answered from the cassette.</summary>
    Hit,

    /// <summary>Not in the cassette: answered with the difference, and reported.</summary>
    Miss,

    /// <summary>Forwarded upstream and written to the cassette.</summary>
    Recorded,

    /// <summary>Refused before any cassette was read: not a cassette URL, a bad id, a body too large or too slow.</summary>
    Rejected,

    /// <summary>A reset of a cassette's position (<c>POST /_evalh/reset/{cassette-id}</c>).</summary>
    Reset,
}
