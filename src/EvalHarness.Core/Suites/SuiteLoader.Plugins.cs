using YamlDotNet.RepresentationModel;
using EvalHarness.BuiltIn;

namespace EvalHarness.Core.Suites;

// A suite's plug-in assemblies: toolkits and custom assertions of a team's own.
public static partial class SuiteLoader
{
    private static List<IToolkit> LoadToolkits(YamlNodes y, YamlNode node, SuiteRoot root)
    {
        var loaded = new List<IToolkit>();
        foreach (var item in y.Sequence(node, "toolkits").Children)
        {
            var relative = y.String(item, "a toolkit assembly");
            try
            {
                foreach (var toolkit in ToolkitAssemblies.Load(root.Resolve(y, item, relative, "the toolkit assembly"), relative))
                {
                    ToolkitAssemblies.Check(toolkit, loaded);
                    loaded.Add(toolkit);
                }
            }
            catch (ArgumentException ex)
            {
                throw y.Error(item, ex.Message);
            }
        }

        return loaded;
    }

    private static Dictionary<string, Assertions.ICaseAssertion> LoadAssertions(YamlNodes y, YamlNode node, SuiteRoot root)
    {
        var registry = new Dictionary<string, Assertions.ICaseAssertion>(StringComparer.Ordinal);
        foreach (var item in y.Sequence(node, "assertions").Children)
        {
            var relative = y.String(item, "an assertion assembly");
            IReadOnlyList<Assertions.ICaseAssertion> found;
            try
            {
                found = Assertions.CustomAssertions.Load(root.Resolve(y, item, relative, "the assertion assembly"));
            }
            catch (ArgumentException ex)
            {
                throw y.Error(item, ex.Message);
            }

            foreach (var assertion in found)
            {
                if (!registry.TryAdd(assertion.Name, assertion))
                {
                    throw y.Error(item, $"two custom assertions are named '{assertion.Name}'.");
                }
            }
        }

        return registry;
    }
}
