using EvalHarness.Cassettes.Protocols;

namespace EvalHarness.Core.UnderTest;

/// <summary>The environment an agent the harness starts gets for its model: a process per case, or a served agent's service.</summary>
internal static class AgentEnvironment
{
    /// <summary>
    /// Each provider's base URL variable at <paramref name="address"/>, in the form its official SDK reads
    /// (<c>OPENAI_BASE_URL</c> ends in <c>/v1</c>, the others at the address), and its key variables with the key
    /// <paramref name="keyFor"/> gives for the provider.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> Providers(Uri address, Func<string, string> keyFor)
    {
        foreach (var protocol in WireProtocols.All)
        {
            yield return new(protocol.BaseUrlVariable, protocol.BaseUrlFor(address).ToString().TrimEnd('/'));
            foreach (var keyVariable in protocol.KeyVariables)
            {
                yield return new(keyVariable, keyFor(protocol.Name));
            }
        }
    }
}
