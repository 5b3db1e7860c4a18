using System.Text.Json;
using EvalHarness.Agents.Runtime;
using EvalHarness.Agents.Schema;
using EvalHarness.Core.Suites;
using EvalHarness.BuiltIn;
using EvalHarness.Tests.Support;

namespace EvalHarness.Tests.Core;

/// <summary>docs/suite.schema.json, the JSON Schema editors use for completion, agrees with the loader.</summary>
public sealed class SuiteSchemaTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "suite.schema.json"))).RootElement;

    /// <summary>The example suites and the own-agent examples' suites, relative to the repository's root.</summary>
    public static TheoryData<string> Suites() =>
    [
        .. Directory.GetFiles(RepoPaths.Suites, "*.yaml")
            .Concat(Directory.GetFiles(Path.Combine(RepoPaths.Root, "examples"), "*.yaml", SearchOption.AllDirectories)
                .Where(f => !f.Contains("node_modules", StringComparison.Ordinal) && Path.GetFileName(Path.GetDirectoryName(f)) != "scripts"))
            .Select(f => Path.GetRelativePath(RepoPaths.Root, f))
            .Order(StringComparer.Ordinal),
    ];

    [Theory]
    [MemberData(nameof(Suites))]
    public void ExampleSuite_ValidatesAgainstThePublishedSchema(string file)
    {
        var yaml = YamlNodes.Parse(file, File.ReadAllText(Path.Combine(RepoPaths.Root, file)));

        var errors = JsonSchemaValidator.Create(Schema).Validate(YamlJson.ToElement(yaml));

        Assert.Empty(errors);
    }

    [Fact]
    public void Schema_RejectsAnUnknownKey()
    {
        var yaml = YamlNodes.Parse("x.yaml", "suite: x\nagent: { model: openai:m, system_prompt: hi, toolz: [] }\nscenarios: [{ name: s, input: hi }]\n");

        Assert.Contains("$.agent.toolz: is not an allowed property", JsonSchemaValidator.Create(Schema).Validate(YamlJson.ToElement(yaml)));
    }

    [Fact]
    public void Schema_ToolServers_TheLoadersFormsValidateAndAMisspeltKeyIsRefused()
    {
        const string Suite = """
            suite: x
            agent:
              command: [node, agent.mjs]
              mcp:
                inventory: { command: [node, inventory-server.mjs], env: { INVENTORY_API_KEY: "${INVENTORY_API_KEY}" }, per: run }
                docs: { url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer ${DOCS_TOKEN}" } }
              http:
                prices: "${PRICES_URL:-http://127.0.0.1:5081}"
                stock: { url: "https://stock.example.com", timeout_s: 5 }
            scenarios: [{ name: s, input: hi }]
            """;
        var validator = JsonSchemaValidator.Create(Schema);

        Assert.Empty(validator.Validate(YamlJson.ToElement(YamlNodes.Parse("x.yaml", Suite))));
        Assert.NotEmpty(validator.Validate(YamlJson.ToElement(YamlNodes.Parse("x.yaml", Suite.Replace("per: run", "pre: run", StringComparison.Ordinal)))));
        Assert.NotEmpty(validator.Validate(YamlJson.ToElement(YamlNodes.Parse("x.yaml", Suite.Replace("{ url: \"https://mcp.example.com/mcp\",", "{ command: [x], url: \"https://mcp.example.com/mcp\",", StringComparison.Ordinal)))));
    }

    [Fact]
    public void Schema_ModelPattern_NamesEveryProvider()
    {
        // Every "model" pattern in the schema is provider:model with the providers the harness speaks, no more, no less.
        var patterns = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "suite.schema.json")), "\\^\\(([a-z|]+)\\):\\.\\+\\$")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal(string.Join('|', EvalHarness.Core.Suites.Providers.Names), Assert.Single(patterns));
    }

    [Fact]
    public void Schema_ListsEveryToolAndCounter()
    {
        Assert.Equal(ToolCatalog.Names, Schema.GetProperty("$defs").GetProperty("tool").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(RunCounters.Names.Order(), Schema.GetProperty("$defs").GetProperty("expect").GetProperty("properties").GetProperty("counters").GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
    }
}
