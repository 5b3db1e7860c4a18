using EvalHarness.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace EvalHarness.Tests.Adoption;

/// <summary>
/// <c>.github/workflows/release.yml</c> as GitHub reads it: its triggers and its one job's steps, so tests can check the
/// steps and run their <c>run:</c> text as the runner would.
/// </summary>
internal sealed class ReleaseWorkflow
{
    /// <summary>A step: its <c>name:</c>, <c>uses:</c>, <c>run:</c> and <c>env:</c>.</summary>
    internal sealed record Step(string? Name, string? Uses, string? Run, IReadOnlyDictionary<string, string> Env);

    private ReleaseWorkflow(YamlMappingNode root, IReadOnlyList<Step> steps)
    {
        Root = root;
        Steps = steps;
    }

    /// <summary>The workflow file in the repository.</summary>
    public static string File => Path.Combine(RepoPaths.Root, ".github", "workflows", "release.yml");

    /// <summary>The whole document.</summary>
    public YamlMappingNode Root { get; }

    /// <summary>The release job's steps, in order.</summary>
    public IReadOnlyList<Step> Steps { get; }

    /// <summary>The release job itself (its <c>runs-on</c>, <c>env</c> …).</summary>
    public YamlMappingNode Job => (YamlMappingNode)((YamlMappingNode)Root["jobs"]).Children.Single().Value;

    /// <summary>Reads the repository's workflow.</summary>
    public static ReleaseWorkflow Load()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(System.IO.File.ReadAllText(File)));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var job = (YamlMappingNode)((YamlMappingNode)root["jobs"]).Children.Single().Value;
        var steps = ((YamlSequenceNode)job["steps"]).Children.Cast<YamlMappingNode>().Select(step => new Step(
            Scalar(step, "name"),
            Scalar(step, "uses"),
            Scalar(step, "run"),
            step.Children.TryGetValue("env", out var env)
                ? ((YamlMappingNode)env).Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value!, StringComparer.Ordinal)
                : new Dictionary<string, string>(StringComparer.Ordinal))).ToList();
        return new ReleaseWorkflow(root, steps);
    }

    /// <summary>The step named <paramref name="name"/>.</summary>
    public Step Named(string name) => Steps.SingleOrDefault(s => s.Name == name) ?? throw new InvalidOperationException($"{File} has no step named '{name}'.");

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? ((YamlScalarNode)value).Value : null;
}
