using EvalHarness.Cassettes.Protocols;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cassettes;

/// <summary>
/// What a provider's wire format means lives in the protocols' folders: no other code names its paths or its fields.
/// A protocol built on another's format (Azure OpenAI on OpenAI's, Ollama's tool messages) may name its fields in its own
/// folder; the protocol's client (the SDK adapter in <c>EvalHarness.Agents/Providers</c>, which cannot see the Cassettes
/// project) is the one other place allowed to.
/// </summary>
public sealed class ProtocolFolderTests
{
    /// <summary>Per protocol: its folder, its client files' prefix, and words only its wire format uses.</summary>
    public static TheoryData<string, string, string, string[]> Protocols => new()
    {
        { "openai", "OpenAI", "OpenAI", ["chat/completions", "prompt_tokens", "completion_tokens", "tool_call_id", "function_call_output", "\"choices\""] },
        { "anthropic", "Anthropic", "Anthropic", ["v1/messages", "tool_use_id", "\"tool_result\"", "input_json_delta", "cache_read_input_tokens", "content_block_delta"] },
        { "azure", "Azure", "AzureOpenAI", ["openai/deployments", "prompt_filter_results", "content_filter_results"] },
        { "gemini", "Gemini", "Gemini", ["generateContent", "usageMetadata", "\"functionCall\"", "\"functionResponse\"", "promptTokenCount", "systemInstruction"] },
        { "ollama", "Ollama", "Ollama", ["api/chat", "api/generate", "prompt_eval_count", "\"eval_count\"", "done_reason"] },
    };

    [Theory]
    [MemberData(nameof(Protocols))]
    public void ProtocolWords_AppearOnlyInTheirOwnFolder(string protocol, string folder, string clientPrefix, string[] words)
    {
        Assert.NotNull(WireProtocols.Find(protocol));
        var protocols = Path.Combine(RepoPaths.Root, "src", "EvalHarness.Cassettes", "Protocols");
        var own = Path.Combine(protocols, folder) + Path.DirectorySeparatorChar;
        var client = Path.Combine(RepoPaths.Root, "src", "EvalHarness.Agents", "Providers", clientPrefix);
        Assert.True(Directory.Exists(own), own);

        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            // Any protocol's folder (not the Protocols folder's own shared files), or this protocol's client.
            var inAProtocolFolder = file.StartsWith(protocols + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                && Path.GetDirectoryName(file) != protocols;
            if (inAProtocolFolder || file.StartsWith(client, StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            // Code, not prose: a comment may say what a client appends.
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var code = lines[i].TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal))
                {
                    continue;
                }

                found.AddRange(words.Where(w => code.Contains(w, StringComparison.Ordinal)).Select(w => $"{Path.GetRelativePath(RepoPaths.Root, file)}:{i + 1}: {w}"));
            }
        }

        Assert.Empty(found);
    }
}
