using EvalHarness.Cassettes.Secrets;

namespace EvalHarness.Tests.Cassettes;

/// <summary>Which headers and query parameters carry credentials, and how text kept beside them is scrubbed.</summary>
public sealed class SecretScannerTests
{
    [Theory]
    [InlineData("?secret=s3cr3t&x=1", "?secret=[scrubbed]&x=1")]
    [InlineData("?password=hunter22", "?password=[scrubbed]")]
    [InlineData("?client_secret=abc&client_id=app", "?client_secret=[scrubbed]&client_id=app")]
    [InlineData("?X-Amz-Signature=abcd&X-Amz-Credential=AK%2F1&X-Amz-Date=20261201", "?X-Amz-Signature=[scrubbed]&X-Amz-Credential=[scrubbed]&X-Amz-Date=20261201")]
    [InlineData("?subscriptionKey=k&refresh_token=t&sig=s", "?subscriptionKey=[scrubbed]&refresh_token=[scrubbed]&sig=[scrubbed]")]
    [InlineData("?api-version=2024-10-21&beta=true&limit=5", "?api-version=2024-10-21&beta=true&limit=5")]
    public void ScrubQuery_CredentialLookingNames_AreScrubbedAndOthersKept(string query, string expected) =>
        Assert.Equal(expected, SecretScanner.ScrubQuery(query));

    [Theory]
    [InlineData("Authorization", true)]
    [InlineData("api-key", true)]
    [InlineData("X-Goog-Api-Key", true)]
    [InlineData("OpenAI-Organization", true)]
    [InlineData("openai-project", true)]
    [InlineData("Ocp-Apim-Subscription-Key", true)]
    [InlineData("content-type", false)]
    [InlineData("user-agent", false)]
    [InlineData("anthropic-version", false)]
    public void IsCredentialHeader_KnowsTheProvidersHeaders(string name, bool credential) =>
        Assert.Equal(credential, SecretScanner.IsCredentialHeader(name));

    [Fact]
    public void KeysOf_StripsTheAuthSchemeOnly() =>
        Assert.Equal(["sk-abc12345678", "dXNlcjpwYXNz", "azure-key-0123456789", "session=abc; theme=dark"],
            SecretScanner.KeysOf(["Bearer sk-abc12345678", "Basic dXNlcjpwYXNz", "azure-key-0123456789", "session=abc; theme=dark", "", null]));

    [Fact]
    public void ScrubText_ReplacesLiveKeysAndKeyShapes()
    {
        var userAgent = "my-agent/1.0 (key=azure-live-key-0123456789; gh=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB) OpenAI/2.15.0";

        var scrubbed = SecretScanner.ScrubText(userAgent, ["azure-live-key-0123456789"]);

        Assert.Equal("my-agent/1.0 (key=[scrubbed]; gh=[scrubbed]) OpenAI/2.15.0", scrubbed);
    }
}
