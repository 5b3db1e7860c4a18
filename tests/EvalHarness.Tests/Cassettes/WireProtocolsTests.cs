using EvalHarness.Cassettes.Protocols;

namespace EvalHarness.Tests.Cassettes;

/// <summary>Reading a cassette URL into its id and its protocol: from the end, so no name in the id can fool it.</summary>
public sealed class WireProtocolsTests
{
    [Theory]
    [InlineData("suite/v1/scenario/t1/v1/chat/completions", "suite/v1/scenario/t1", "v1/chat/completions", "openai")]
    [InlineData("suite/v2/scenario/t1/v1/chat/completions", "suite/v2/scenario/t1", "v1/chat/completions", "openai")]
    [InlineData("openai/api/v1beta/t1/v1/messages", "openai/api/v1beta/t1", "v1/messages", "anthropic")]
    [InlineData("s/v1/x/t1/v1/responses", "s/v1/x/t1", "v1/responses", "openai")]
    [InlineData("s/openai/t1/v1/chat/completions", "s/openai/t1", "v1/chat/completions", "openai")]
    [InlineData("s/t1//v1/chat/completions", "s/t1", "v1/chat/completions", "openai")]
    // A path no protocol lists is an OpenAI-compatible server's, from its last v1.
    [InlineData("s/v1/x/t1/v1/files/abc/content", "s/v1/x/t1", "v1/files/abc/content", "openai")]
    public void TryRoute_FindsTheIdFromTheEnd(string rest, string id, string path, string protocol)
    {
        Assert.True(WireProtocols.TryRoute(rest, _ => false, out var cassetteId, out var providerPath, out var found));
        Assert.Equal((id, path, protocol), (cassetteId, providerPath, found.Name));
    }

    [Theory]
    [InlineData("v1/chat/completions")]
    [InlineData("my-suite/default/case/t1")]
    [InlineData("")]
    public void TryRoute_NoIdOrNoProtocolPath_IsNotACassetteUrl(string rest) =>
        Assert.False(WireProtocols.TryRoute(rest, _ => false, out _, out _, out _));

    [Theory]
    [InlineData("v1/chat/completions", "openai")]
    [InlineData("v1/chat/completions?x=1", "openai")]
    [InlineData("v1/messages?beta=true", "anthropic")]
    [InlineData("/v1/messages", "anthropic")]
    [InlineData("v1/responses", "openai")]
    [InlineData("v1/anything/else", "openai")]
    public void ForRecordedPath_IsTheProtocolWhosePathItIs(string path, string protocol) =>
        Assert.Equal(protocol, WireProtocols.ForRecordedPath(path).Name);

    [Fact]
    public void Find_NamesEveryProtocolOnce()
    {
        Assert.All(WireProtocols.All, p => Assert.Same(p, WireProtocols.Find(p.Name)));
        Assert.Equal(WireProtocols.All.Count, WireProtocols.All.Select(p => p.Name).Distinct().Count());
        Assert.Null(WireProtocols.Find("nope"));
    }
}
