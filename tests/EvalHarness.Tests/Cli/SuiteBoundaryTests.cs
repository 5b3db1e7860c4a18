using System.Text.RegularExpressions;
using EvalHarness.Core.Suites;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Cli;

/// <summary>
/// Paths a suite names stay inside its repository (here, in a temp folder without .git, its own folder) unless the run
/// passes --allow-outside; and no error prints more than a short excerpt of a file.
/// </summary>
public sealed class SuiteBoundaryTests : IDisposable
{
    private const string Secret = "top-secret-content-of-a-file-outside";

    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDirectory _temp = new();
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();

    public SuiteBoundaryTests()
    {
        _temp.Write("outside/prompt.md", $"{Secret}\nsecond line of it\n");
        _temp.Write("outside/shared.yaml", $"{Secret}\nsecond line of it\n");
        _temp.Write("outside/schema.json", $"{{\"description\": \"{Secret}\"}}");
        _temp.Write("outside/a.dll", Secret);
    }

    public void Dispose()
    {
        _temp.Dispose();
        _out.Dispose();
        _error.Dispose();
    }

    private string Error => _error.ToString();

    private Task<int> Evalh(params string[] args) => Support.Evalh.InvokeAsync(_out, _error, args, Ct);

    /// <summary>A suite of one scenario in <c>suite/</c>, with <paramref name="agent"/>'s extra lines and <paramref name="top"/> at its root.</summary>
    private string Suite(string agent = "  system_prompt: Be brief.\n", string top = "") => _temp.Write("suite/hello.yaml",
        $"suite: hello\n{top}agent:\n  model: openai:gpt-4o-mini\n{agent}scenarios:\n  - name: greet\n    input: Say hi.\n    expect: {{ output: {{ contains: [hi] }} }}\n");

    private string[] Record(string suite, params string[] more) =>
        ["record", suite, "--upstream", "scripted", "--cassettes", _temp.Combine("cassettes"), "--reports", _temp.Combine("reports"), .. more];

    public static TheoryData<string, string, string, int, int> OutsidePaths() => new()
    {
        // what, the root lines, the agent's lines, line, column
        { "include (relative)", "include: [../outside/shared.yaml]\n", "  system_prompt: Be brief.\n", 2, 11 },
        { "include (absolute)", "include: [{outside}/shared.yaml]\n", "  system_prompt: Be brief.\n", 2, 11 },
        { "system_prompt", string.Empty, "  system_prompt: ../outside/prompt.md\n", 4, 18 },
        { "output_schema", string.Empty, "  system_prompt: Be brief.\n  output_schema: ../outside/schema.json\n", 5, 18 },
        { "toolkits", "toolkits: [../outside/a.dll]\n", "  system_prompt: Be brief.\n", 2, 12 },
        { "cassettes.dir", "cassettes: { dir: ../outside }\n", "  system_prompt: Be brief.\n", 2, 19 },
        { "process cwd", string.Empty, "  command: [python3, agent.py]\n  cwd: ../outside\n", 5, 8 },
        { "dotnet assembly", string.Empty, "  dotnet: { assembly: ../outside/a.dll, type: A.B }\n", 4, 23 },
    };

    [Fact]
    public async Task Run_EvaluatorAssemblyOutsideTheSuitesFolder_ExitsTwoAtItsLine()
    {
        var suite = _temp.Write("suite/hello.yaml",
            "suite: hello\nagent:\n  model: openai:gpt-4o-mini\n  system_prompt: Be brief.\nscenarios:\n  - name: greet\n    input: Say hi.\n"
            + "    expect: { evaluators: [{ type: A.B, assembly: ../outside/a.dll, metric: M }] }\n");

        var exit = await Evalh("run", suite, "--reports", _temp.Combine("reports"));

        Assert.True(exit == 2, $"exit {exit}, {Error}");
        Assert.True(Error.StartsWith($"error: {suite}:8:51: ", StringComparison.Ordinal), Error);
        Assert.Contains("leads outside the suite's folder", Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(OutsidePaths))]
    public async Task Run_PathOutsideTheSuitesFolder_ExitsTwoAtItsLineNamingThePathAndNotItsContent(string what, string top, string agent, int line, int column)
    {
        var suite = Suite(agent, top.Replace("{outside}", _temp.Combine("outside"), StringComparison.Ordinal));

        var exit = await Evalh("run", suite, "--reports", _temp.Combine("reports"));

        Assert.True(exit == 2, $"{what}: exit {exit}, {Error}");
        Assert.StartsWith($"error: {suite}:{line}:{column}: ", Error, StringComparison.Ordinal);
        Assert.Contains("outside", Error, StringComparison.Ordinal);
        Assert.Contains("leads outside the suite's folder", Error, StringComparison.Ordinal);
        Assert.Contains("pass --allow-outside to allow it", Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_IncludeOfEtcPasswd_ExitsTwoNamingThePathWithoutItsContent()
    {
        var suite = Suite(top: "include: [/etc/passwd]\n");

        var exit = await Evalh("run", suite, "--reports", _temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.StartsWith($"error: {suite}:2:11: the included file '/etc/passwd' leads outside", Error, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_PromptOutside_LoadsOnlyWithAllowOutside()
    {
        var suite = Suite("  system_prompt: ../outside/prompt.md\n");
        _temp.Write("suite/scripts/hello.yaml", "default:\n  greet: [{ text: hi there }]\n");

        var refused = await Evalh(Record(suite));
        var allowed = await Evalh(Record(suite, "--allow-outside"));

        Assert.Equal((2, 0), (refused, allowed));
        Assert.Contains("hello.yaml:4:18: the prompt file '../outside/prompt.md' leads outside", Error, StringComparison.Ordinal);
        Assert.Contains(Secret, File.ReadAllText(Directory.GetFiles(_temp.Combine("cassettes"), "*.json", SearchOption.AllDirectories).Single()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SymlinkInsideTheFolderToAFileOutside_IsRefused()
    {
        _temp.Write("suite/prompts/.keep", string.Empty);
        File.CreateSymbolicLink(_temp.Combine("suite", "prompts", "p.md"), _temp.Combine("outside", "prompt.md"));
        var suite = Suite("  system_prompt: prompts/p.md\n");

        var exit = await Evalh("run", suite, "--reports", _temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.Contains($"the prompt file 'prompts/p.md' leads outside the suite's folder ({_temp.Combine("suite")}), to {_temp.Combine("outside", "prompt.md")}", Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_ScriptFileASymlinkOutside_IsRefused()
    {
        var suite = Suite();
        _temp.Write("outside/hello.yaml", "default:\n  greet: [{ text: hi there }]\n");
        _temp.Write("suite/scripts/.keep", string.Empty);
        File.CreateSymbolicLink(_temp.Combine("suite", "scripts", "hello.yaml"), _temp.Combine("outside", "hello.yaml"));

        var exit = await Evalh(Record(suite));

        Assert.Equal(2, exit);
        Assert.Contains("the script file 'scripts/hello.yaml' leads outside", Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_IncludedFileOfOneHugeLine_QuotesAtMostAShortExcerpt()
    {
        _temp.Write("suite/huge.yaml", new string('x', 200_000));
        var suite = Suite(top: "include: [huge.yaml]\n");

        var exit = await Evalh("run", suite, "--reports", _temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.Contains($"an included file must be a mapping (key: value lines), not '{new string('x', 80)}…'", Error, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', 81), Error, StringComparison.Ordinal);
        Assert.True(Error.Length < 400, Error);
    }

    [Fact]
    public async Task Run_HugeOneLineValue_QuotesAtMostAShortExcerpt()
    {
        var suite = Suite(top: $"trials: {new string('9', 5_000)}x\n");

        var exit = await Evalh("run", suite, "--reports", _temp.Combine("reports"));

        Assert.Equal(2, exit);
        Assert.Matches($"trials must be a whole number, not '{new string('9', 80)}…'", Error);
        Assert.DoesNotContain(new string('9', 81), Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SuiteInARepository_MayUseFilesAnywhereInIt()
    {
        Directory.CreateDirectory(_temp.Combine("repo", ".git"));
        _temp.Write("repo/prompts/shared.md", "Be brief.");
        var suite = _temp.Write("repo/evals/hello.yaml", "suite: hello\nagent: { model: openai:m, system_prompt: ../prompts/shared.md }\nscenarios: [{ name: a, input: x }]\n");
        var escaping = _temp.Write("repo/evals/escape.yaml", "suite: hello\nagent: { model: openai:m, system_prompt: ../../outside/prompt.md }\nscenarios: [{ name: a, input: x }]\n");

        var loaded = SuiteLoader.Load(suite);
        var error = Assert.Throws<SuiteException>(() => SuiteLoader.Load(escaping));

        Assert.Equal("Be brief.", loaded.Variants[0].Agent.SystemPrompt);
        Assert.Matches(Regex.Escape($"leads outside the suite's repository ({_temp.Combine("repo")})"), error.Message);
    }
}
