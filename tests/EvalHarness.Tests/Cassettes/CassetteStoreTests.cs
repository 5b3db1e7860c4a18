using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cassettes;

public sealed class CassetteStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("support/default/refund/t1", "support/default/refund.t1.json")]
    [InlineData("support/prompt-v2/refund/t12", "support/prompt-v2/refund.t12.json")]
    [InlineData("myapp/login", "myapp/login.json")]
    [InlineData("a/x/t1", "a/x.t1.json")]
    [InlineData("a/x.t1/t1", "a/x.t1.t1.json")]
    [InlineData("a/x.tip", "a/x.tip.json")]
    public void PathFor_MapsIdsToFiles(string id, string relative) =>
        Assert.Equal(Path.Combine(_temp.Path, relative), new CassetteStore(_temp.Path).PathFor(id));

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("/abs/path")]
    [InlineData("a//b")]
    [InlineData("has space/x")]
    [InlineData("")]
    [InlineData("a/x.t1")] // would share a/x.t1.json with a/x/t1
    [InlineData("x.t12")] // would share x.t12.json with x/t12
    public void PathFor_IdThatCouldEscapeOrIsOdd_IsRejected(string id)
    {
        var error = Assert.Throws<ArgumentException>(() => new CassetteStore(_temp.Path).PathFor(id));
        Assert.Contains("not a valid cassette id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedFile_NamesThePathAndLine()
    {
        var path = _temp.Write("bad.json", "{\n  \"formatVersion\": 1,\n  \"id\": \"x\",\n  \"interactions\": [\n");

        var error = Assert.Throws<CassetteFormatException>(() => CassetteStore.Read(path));

        Assert.StartsWith(path + ": line ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Re-record", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownFormatVersion_SaysWhatToDo()
    {
        var path = _temp.Write("future.json", """{ "formatVersion": 99, "id": "x", "provider": "openai", "recordedFrom": "live", "interactions": [] }""");

        var error = Assert.Throws<CassetteFormatException>(() => CassetteStore.Read(path));

        Assert.Contains("formatVersion 99", error.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade EvalHarness", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_ThenLoad_RoundTripsAndWritesBodiesAsJson()
    {
        var store = new CassetteStore(_temp.Path);
        var cassette = Sample("s/v/a/t1", """{"model":"m","messages":[{"role":"user","content":"héllo <b>"}]}""");

        store.Save(cassette, []);
        var text = File.ReadAllText(store.PathFor("s/v/a/t1"));
        var loaded = store.Load("s/v/a/t1")!;

        Assert.Contains("\"content\": \"héllo <b>\"", text, StringComparison.Ordinal);
        Assert.Equal("m", loaded.Interactions[0].Request.Body.GetProperty("model").GetString());
        Assert.Equal(new InteractionTimings(12.5, 40), loaded.Interactions[0].Timings);
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Save_ContentHoldsTheLiveKey_RefusesAndWritesNothing()
    {
        var store = new CassetteStore(_temp.Path);
        var cassette = Sample("s/v/leak/t1", """{"note":"my key is sk-live-0123456789abcdef"}""");

        var error = Assert.Throws<InvalidOperationException>(() => store.Save(cassette, ["sk-live-0123456789abcdef"]));

        Assert.Contains("live API key", error.Message, StringComparison.Ordinal);
        Assert.False(store.Exists("s/v/leak/t1"));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*", SearchOption.AllDirectories));
    }

    private static Cassette Sample(string id, string requestBody) => new()
    {
        Id = id,
        Provider = "openai",
        RecordedFrom = "scripted",
        Interactions =
        [
            new Interaction(
                new RecordedRequest("POST", "v1/chat/completions", new Dictionary<string, string> { ["content-type"] = "application/json" }, JsonDocument.Parse(requestBody).RootElement),
                new RecordedResponse(200, new Dictionary<string, string>(), JsonDocument.Parse("""{"ok":true}""").RootElement),
                new InteractionTimings(12.5, 40)),
        ],
    };
}
