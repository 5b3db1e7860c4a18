using System.Text.Json;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>A recording that stops half-way (its case ends in an error) never replaces a good cassette with a shorter one.</summary>
public sealed class RecordKeepsCassetteTests : CliTest
{
    private const string Suite = """
        suite: chat
        agent: { model: "openai:gpt-4o-mini", system_prompt: Be brief. }
        scenarios:
          - name: two-turns
            conversation:
              - user: "Hi."
              - user: "Bye."
        """;

    private static string Script(params string[] replies) =>
        "default:\n  two-turns:\n" + string.Concat(replies.Select(r => $"    - text: \"{r}\"\n"));

    private string[] Record(string reports = "reports") => ["record", Temp.Combine("chat.yaml"), "--upstream", "scripted", "--cassettes", Temp.Combine("cassettes"), "--reports", Temp.Combine(reports)];

    [Fact]
    public async Task ACaseThatErrsWhileRecording_KeepsItsEarlierCassette_AndSaysSo()
    {
        Temp.Write("chat.yaml", Suite);
        Temp.Write("scripts/chat.yaml", Script("Hello!", "Goodbye!"));
        Assert.Equal(0, await Evalh(Record()));
        var cassette = Temp.Combine("cassettes", "chat", "default", "two-turns.t1.json");
        var good = await File.ReadAllBytesAsync(cassette, Ct);

        // The script loses its second reply: turn 2's request is refused, after turn 1's was recorded again.
        Temp.Write("scripts/chat.yaml", Script("Hello!"));
        // Its own reports folder: both runs may start in the same second, when run ids do not sort by start.
        var exit = await Evalh(Record("reports-again"));

        Assert.Equal(2, exit);
        Assert.Equal(good, await File.ReadAllBytesAsync(cassette, Ct));
        var results = Assert.Single(Directory.GetFiles(Temp.Combine("reports-again", "runs"), "results.json", SearchOption.AllDirectories));
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(results, Ct));
        var error = json.RootElement.GetProperty("cases")[0].GetProperty("error").GetString()!;
        Assert.Contains("has 1 entries, but the agent made request 2", error, StringComparison.Ordinal);
        Assert.EndsWith("The recording stopped early, so the earlier cassette was kept: two-turns.t1.json. Fix the cause and record the case again.", error, StringComparison.Ordinal);
        Assert.Equal(0, await Evalh("run", Temp.Combine("chat.yaml"), "--cassettes", Temp.Combine("cassettes"), "--reports", Temp.Combine("reports"))); // the kept one still replays
    }

    [Fact]
    public async Task ACaseThatErrsOnItsFirstRecording_KeepsWhatItRecorded()
    {
        Temp.Write("chat.yaml", Suite);
        Temp.Write("scripts/chat.yaml", Script("Hello!"));

        Assert.Equal(2, await Evalh(Record()));

        // Nothing earlier to keep: the partial cassette is the record of what happened, and the error says nothing was kept.
        using var cassette = JsonDocument.Parse(await File.ReadAllTextAsync(Temp.Combine("cassettes", "chat", "default", "two-turns.t1.json"), Ct));
        Assert.Equal(1, cassette.RootElement.GetProperty("interactions").GetArrayLength());
        Assert.DoesNotContain("was kept", Out.ToString() + Error.ToString(), StringComparison.Ordinal);
    }
}
