using System.Text.Json;
using EvalHarness.Cassettes.Format;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cassettes;

/// <summary>The hand-written cassette reader against the serializer that writes cassettes: the same cassette from every file.</summary>
public sealed class CassetteReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> CommittedCassettes()
    {
        var files = new TheoryData<string>();
        foreach (var folder in new[] { RepoPaths.Cassettes }.Concat(Directory.GetDirectories(Path.Combine(RepoPaths.Root, "examples")).Select(e => Path.Combine(e, "cassettes"))).Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                files.Add(Path.GetRelativePath(RepoPaths.Root, file));
            }
        }

        return files;
    }

    [Theory]
    [MemberData(nameof(CommittedCassettes))]
    public void EveryCommittedCassette_ReadsAsTheSerializerReadsIt(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(RepoPaths.Root, file));

        var byHand = CassetteReader.Read(bytes);
        var bySerializer = JsonSerializer.Deserialize(bytes, CassetteJsonContext.Default.Cassette)!;

        // Written back by the serializer, field by field: bodies, events, headers, timings, metadata.
        Assert.Equal(JsonSerializer.Serialize(bySerializer, CassetteJsonContext.Default.Cassette), JsonSerializer.Serialize(byHand, CassetteJsonContext.Default.Cassette));
    }

    [Theory]
    [InlineData("""{ "formatVersion": 1, "id": "x", "provider": "openai", "interactions": [] }""", "the cassette has no 'recordedFrom'.")]
    [InlineData("""{ "formatVersion": 1, "id": "x", "provider": "openai", "recordedFrom": "live", "interactions": [ { "request": { "method": "POST", "path": "v1/chat/completions", "headers": {}, "body": {} }, "response": { "headers": {} }, "timings": { "firstByteMs": 1, "totalMs": 2 } } ] }""", "interactions[0].response has no 'status'.")]
    [InlineData("""{ "formatVersion": 1, "id": "x", "provider": "openai", "recordedFrom": "live", "interactions": [ { "request": { "method": "POST", "path": "p", "headers": { "a": 1 }, "body": {} }, "response": { "status": 200, "headers": {} }, "timings": { "firstByteMs": 1, "totalMs": 2 } } ] }""", "interactions[0].request.headers.a is not a string.")]
    [InlineData("""{ "formatVersion": 1, "id": "x", "provider": "openai", "recordedFrom": "live", "interactions": {} }""", "interactions is object, not array.")]
    public void ACassetteWithAMemberMissingOrWrong_SaysWhichInTheStoresError(string json, string message)
    {
        var path = _temp.Write("broken.json", json);

        var error = Assert.Throws<CassetteFormatException>(() => CassetteStore.Read(path));

        Assert.Equal($"{path}: {message} Re-record the cassette or restore it from git.", error.Message);
    }
}
