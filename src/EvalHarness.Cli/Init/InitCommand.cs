using System.CommandLine;
using System.Reflection;
using System.Text.RegularExpressions;
using EvalHarness.Core.Results;
using Spectre.Console;

namespace EvalHarness.Cli.Init;

/// <summary>
/// <c>evalh init</c>: scaffolds a working start in a team's repository and lists every file it wrote. It never
/// overwrites a file without <c>--force</c>: when one of the suite's own files is there, it names them and writes
/// nothing; a shared file that is there (the gate, the workflow, EVALS.md: another suite's scaffold) is kept.
/// </summary>
internal static partial class InitCommand
{
    public static Command Build(IAnsiConsole console, TextWriter error)
    {
        var folder = new Argument<string>("folder")
        {
            Description = "Where to scaffold: the repository's root (the current folder when left out).",
            DefaultValueFactory = _ => ".",
        };
        folder.Validators.Add(r =>
        {
            // An option misspelt (--nmae) would otherwise be taken for a folder of that name.
            if (r.Tokens is [var token] && token.Value.StartsWith('-'))
            {
                r.AddError($"'{token.Value}' is not an option of evalh init (see evalh init --help). For a folder whose name starts with '-', write ./{token.Value}.");
            }
        });
        var agent = new Option<string>("--agent")
        {
            Description = "Which agent the suite evaluates: builtin (EvalHarness's runtime), process (your agent in any language; the sample is Python) or dotnet (your C# class on IChatClient).",
            DefaultValueFactory = _ => "builtin",
        };
        agent.AcceptOnlyFromAmong("builtin", "process", "dotnet");
        var name = new Option<string>("--name") { Description = "The suite's name, also its file's (evals/<name>.yaml).", DefaultValueFactory = _ => "support" };
        var force = new Option<bool>("--force") { Description = "Overwrite files that are already there." };
        var shards = new Option<int>("--shards")
        {
            HelpName = "n",
            Description = $"Split the workflow's replay into n jobs at once (a matrix running evalh run --shard auto), and a last job that merges them, gates and uploads one report. Default: 1, one job; at most {MaxShards}.",
            DefaultValueFactory = _ => 1,
        };
        shards.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > MaxShards)
            {
                r.AddError($"--shards must be 1 to {MaxShards} (a GitHub Actions matrix runs at most {MaxShards} jobs).");
            }
        });
        var command = new Command(
            "init",
            "Scaffold evals in a repository: a suite with two scenarios (evals/<name>.yaml), its scripted model, a gate, .gitignore lines, a GitHub Actions workflow and EVALS.md.")
        {
            folder, agent, name, force, shards,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var suite = parse.GetValue(name)!;
            if (!SuiteName().IsMatch(suite))
            {
                await error.WriteLineAsync($"error: --name '{suite}' is not a suite name: use lower-case letters, digits, '-' and '_', starting with a letter or digit (it becomes the file name and the first segment of every cassette id).");
                return ExitCodes.InputError;
            }

            var root = parse.GetValue(folder)!;
            var scaffold = Scaffold.For(suite, Enum.Parse<ScaffoldAgent>(parse.GetValue(agent)!, ignoreCase: true), Version, parse.GetValue(shards));
            var overwrite = parse.GetValue(force);
            var existing = scaffold.Files.Where(f => File.Exists(Path.Combine(root, f.Path))).ToList();
            var conflicts = existing.Where(f => !f.Shared).ToList();
            if (conflicts.Count > 0 && !overwrite)
            {
                await error.WriteLineAsync($"error: {conflicts.Count} file(s) of the suite '{suite}' are already there, so nothing was written: {string.Join(", ", conflicts.Select(f => Shown(root, f.Path)))}.");
                await error.WriteLineAsync("Pass --force to overwrite them, --name to scaffold a suite of another name, or another folder.");
                return ExitCodes.InputError;
            }

            console.MarkupLine($"Scaffolding the suite [bold]{Markup.Escape(suite)}[/] for {Describe(scaffold.Agent)} in {Markup.Escape(Path.GetFullPath(root))}:");
            var kept = new List<ScaffoldFile>();
            foreach (var file in scaffold.Files)
            {
                var there = existing.Contains(file);
                if (there && !overwrite)
                {
                    kept.Add(file);
                    console.MarkupLine($"  [grey]kept[/]     {Markup.Escape(Shown(root, file.Path))} (already there; --force overwrites it)");
                    continue;
                }

                await WriteAsync(Path.Combine(root, file.Path), file.Text, cancellationToken);
                console.MarkupLine($"  {(there ? "[yellow]overwrote[/]" : "[green]created[/]")}  {Markup.Escape(Shown(root, file.Path))}");
            }

            var ignored = await IgnoreAsync(Path.Combine(root, ".gitignore"), scaffold.Ignored, cancellationToken);
            console.MarkupLine(ignored.Count > 0
                ? $"  [green]updated[/]  {Markup.Escape(Shown(root, ".gitignore"))} (+ {Markup.Escape(string.Join(", ", ignored))})"
                : $"  [grey]kept[/]     {Markup.Escape(Shown(root, ".gitignore"))} (it already ignores {string.Join(", ", scaffold.Ignored)})");

            if (kept.Any(f => f.Path.StartsWith(".github/", StringComparison.Ordinal)))
            {
                console.MarkupLine($"The workflow was kept: add [bold]evalh run evals/{Markup.Escape(suite)}.yaml --policy evals/gate.yaml[/] to its steps to replay this suite in CI too.");
            }

            console.WriteLine();
            console.MarkupLine(kept.Any(f => f.Path == "EVALS.md") ? "Next:" : "Next (EVALS.md has them too):");
            if (Path.GetFullPath(root) != Path.GetFullPath(Environment.CurrentDirectory))
            {
                console.MarkupLine($"  cd {Markup.Escape(Path.GetRelativePath(Environment.CurrentDirectory, root))}");
            }

            if (scaffold.Agent == ScaffoldAgent.Dotnet)
            {
                console.MarkupLine("  dotnet build evals/agent            [grey]# needs the EvalHarness.Abstractions package from a NuGet source: EVALS.md says how[/]");
            }

            console.MarkupLine($"  evalh record evals/{suite}.yaml --upstream scripted");
            console.MarkupLine($"  evalh run evals/{suite}.yaml --policy evals/gate.yaml");
            console.MarkupLine("  evalh baseline bless latest");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The most jobs a GitHub Actions matrix runs, so the most shards the workflow can have.</summary>
    private const int MaxShards = 256;

    /// <summary>The tool's version without its build metadata: what the workflow installs and a C# agent references.</summary>
    internal static string Version { get; } =
        (typeof(InitCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.1.0").Split('+')[0];

    private static string Describe(ScaffoldAgent agent) => agent switch
    {
        ScaffoldAgent.Process => "your agent as a process (the sample: evals/agent/agent.py)",
        ScaffoldAgent.Dotnet => "your C# agent (the sample: evals/agent/)",
        _ => "the built-in agent runtime",
    };

    /// <summary>A path as the user would type it from where they stand.</summary>
    private static string Shown(string root, string path) => Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(root, path)).Replace('\\', '/');

    /// <summary>Writes a file whole or not at all: a temporary file beside it, renamed into place.</summary>
    private static async Task WriteAsync(string path, string text, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await File.WriteAllTextAsync(temp, text, Reports.AtomicFile.Utf8, cancellationToken);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Appends the lines <c>.gitignore</c> lacks; returns them.</summary>
    private static async Task<List<string>> IgnoreAsync(string path, IReadOnlyList<string> ignored, CancellationToken cancellationToken)
    {
        var text = File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : string.Empty;
        var lines = text.Split('\n').Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        var missing = ignored.Where(p => !lines.Contains(p) && !lines.Contains("/" + p)).ToList();
        if (missing.Count > 0)
        {
            var separator = text.Length == 0 || text.EndsWith('\n') ? string.Empty : "\n";
            var block = $"{separator}{(text.Length == 0 ? string.Empty : "\n")}# EvalHarness: run folders, this machine's history and build output (commit evals/cassettes/ and reports/baselines/)\n{string.Join("\n", missing)}\n";
            await WriteAsync(path, text + block, cancellationToken);
        }

        return missing;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex SuiteName();
}
