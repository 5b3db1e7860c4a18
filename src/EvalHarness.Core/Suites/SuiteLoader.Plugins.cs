using YamlDotNet.RepresentationModel;
using EvalHarness.BuiltIn;

namespace EvalHarness.Core.Suites;

// A suite's plug-in assemblies: toolkits of a team's own (its assertions are evaluators, named where they are used).
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
}
