using System.Reflection;
using System.Text;

namespace EvalHarness.Cli.Init;

/// <summary>Which agent a scaffold evaluates.</summary>
internal enum ScaffoldAgent
{
    /// <summary>EvalHarness's own runtime, over its built-in toolkits.</summary>
    Builtin,

    /// <summary>A process in any language (the sample is Python).</summary>
    Process,

    /// <summary>A C# class on IChatClient, built as a library.</summary>
    Dotnet,
}

/// <summary>
/// What <c>evalh init</c> writes: the files of a working start (a suite with two scenarios, its script, a gate, a
/// GitHub Actions workflow and EVALS.md, plus the sample agent for <c>process</c> and <c>dotnet</c>) and the lines
/// <c>.gitignore</c> needs. The files are templates embedded in the tool.
/// </summary>
internal sealed class Scaffold
{
    private Scaffold(string suite, ScaffoldAgent agent, IReadOnlyList<ScaffoldFile> files)
    {
        Suite = suite;
        Agent = agent;
        Files = files;
    }

    /// <summary>The suite's name (also its file's).</summary>
    public string Suite { get; }

    /// <summary>The agent the suite evaluates.</summary>
    public ScaffoldAgent Agent { get; }

    /// <summary>Each file to write.</summary>
    public IReadOnlyList<ScaffoldFile> Files { get; }

    /// <summary>
    /// The lines <c>.gitignore</c> needs: run folders, this machine's history, <c>evalh compare</c>'s pages and a C#
    /// agent's build output. The cassettes and baselines are committed.
    /// </summary>
    public IReadOnlyList<string> Ignored => Agent == ScaffoldAgent.Dotnet
        ? ["reports/runs/", "reports/history/", "reports/compare/", "evals/agent/bin/", "evals/agent/obj/"]
        : ["reports/runs/", "reports/history/", "reports/compare/"];

    /// <summary>The scaffold of suite <paramref name="suite"/> evaluating <paramref name="agent"/>.</summary>
    /// <param name="suite">The suite's name.</param>
    /// <param name="agent">The agent under test.</param>
    /// <param name="version">The tool's version: the workflow installs it, and a C# agent references the same EvalHarness.Abstractions.</param>
    /// <param name="shards">
    /// How many jobs replay the suite: 1 is one job; more is a matrix of that many shards and a last job that merges,
    /// gates and uploads one report.
    /// </param>
    public static Scaffold For(string suite, ScaffoldAgent agent, string version, int shards = 1)
    {
        var kind = agent.ToString().ToLowerInvariant();
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["suite"] = suite,
            ["version"] = version,
            ["shards"] = shards.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["shard_list"] = string.Join(", ", Enumerable.Range(1, shards)),
            ["workflow_description"] = shards > 1
                ? $"replays in {shards} shards at once (`--shard auto`), merges them, gates and uploads one report"
                : "replays, gates, uploads the report",
            ["meai_version"] = Metadata("MicrosoftExtensionsAIVersion"),
            ["agent_description"] = agent switch
            {
                ScaffoldAgent.Process => "an agent that runs as a process (the sample in `evals/agent/agent.py`; replace it with yours)",
                ScaffoldAgent.Dotnet => "a C# agent on `IChatClient` (the sample in `evals/agent/`; replace it with yours)",
                _ => "a support agent on EvalHarness's built-in runtime",
            },
            ["agent_files"] = agent switch
            {
                ScaffoldAgent.Process => "| `evals/agent/agent.py` | the sample agent the suite runs (`agent.command`): replace it with yours |\n",
                ScaffoldAgent.Dotnet => "| `evals/agent/` | the sample C# agent the suite loads (`agent.dotnet`): replace it with yours |\n",
                _ => string.Empty,
            },
            ["build_command"] = agent == ScaffoldAgent.Dotnet
                ? "# Build the agent the suite loads. It references the EvalHarness.Abstractions package: until EvalHarness is on\n"
                    + "# nuget.org, from the repository's nuget.config (\"Before EvalHarness is on nuget.org\", below).\n"
                    + "dotnet build evals/agent\n"
                : string.Empty,
            ["setup_steps"] = agent == ScaffoldAgent.Process
                ? "      - uses: actions/setup-python@v5\n        with:\n          python-version: '3.12'\n"
                    + "      # An agent in Node: - uses: actions/setup-node@v4 (with: node-version: 20) here instead, and a step that runs npm ci.\n"
                : string.Empty,
            ["build_steps"] = agent == ScaffoldAgent.Dotnet
                ? "      - name: Build the agent\n        run: dotnet build evals/agent\n"
                : string.Empty,
        };

        List<ScaffoldFile> files =
        [
            new($"evals/{suite}.yaml", Render($"{kind}/suite.yaml", values)),
            new($"evals/scripts/{suite}.yaml", Render($"{kind}/script.yaml", values)),
        ];
        if (agent == ScaffoldAgent.Process)
        {
            files.Add(new("evals/agent/agent.py", Render("process/agent.py", values)));
        }
        else if (agent == ScaffoldAgent.Dotnet)
        {
            files.Add(new("evals/agent/SupportAgent.csproj", Render("dotnet/SupportAgent.csproj", values)));
            files.Add(new("evals/agent/ShopAgent.cs", Render("dotnet/ShopAgent.cs", values)));
        }

        files.Add(new("evals/gate.yaml", Render("gate.yaml", values), Shared: true));
        files.Add(new(".github/workflows/evals.yml", Render(shards > 1 ? "workflow-sharded.yml" : "workflow.yml", values), Shared: true));
        files.Add(new("EVALS.md", Render("EVALS.md", values), Shared: true));
        return new Scaffold(suite, agent, files);
    }

    /// <summary>A template with its <c>{{name}}</c> placeholders filled in.</summary>
    private static string Render(string template, IReadOnlyDictionary<string, string> values)
    {
        using var stream = typeof(Scaffold).Assembly.GetManifestResourceStream($"EvalHarness.Cli.Init.{template}")
            ?? throw new InvalidOperationException($"The init template '{template}' is not embedded in the tool.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = new StringBuilder(reader.ReadToEnd());
        foreach (var (name, value) in values)
        {
            text.Replace("{{" + name + "}}", value);
        }

        return text.ToString();
    }

    private static string Metadata(string key) =>
        typeof(Scaffold).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"The tool was built without its {key}.");
}

/// <summary>One file of a scaffold.</summary>
/// <param name="Path">Relative to the folder the scaffold goes in, with <c>/</c> between folders.</param>
/// <param name="Text">The file's text.</param>
/// <param name="Shared">
/// Shared by every suite of the repository (the gate, the workflow, EVALS.md): one that is there is kept when another
/// suite is scaffolded, where a suite's own file that is there stops the scaffold.
/// </param>
internal sealed record ScaffoldFile(string Path, string Text, bool Shared = false);
