namespace EvalHarness.Cassettes.Server;

/// <summary>How a request finds its recorded interaction.</summary>
public enum MatchMode
{
    /// <summary>The n-th request of a cassette must match its n-th interaction. The default: it catches reordering.</summary>
    Ordered,

    /// <summary>
    /// Any unused interaction with an equal (normalised) request matches; identical requests get their
    /// recorded responses in recorded order. For agents whose calls may come in any order.
    /// </summary>
    Unordered,
}
