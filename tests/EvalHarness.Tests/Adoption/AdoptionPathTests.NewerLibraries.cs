namespace EvalHarness.Tests.Adoption;

/// <summary>
/// Agents built on the libraries teams move to (issue 25, bug 18): one on Microsoft.Extensions.AI 11.0.0, one on
/// Agent Framework 1.28 (which names 10.11), each recorded and replayed through the installed tool and with dotnet test.
/// </summary>
public sealed partial class AdoptionPathTests
{
    private const string MeaiVersion = "11.0.0";
    private const string AgentFrameworkVersion = "1.28.0";

    [Fact]
    public async Task Tool_AgentsOnMicrosoftExtensionsAI11AndAgentFramework_RecordAndReplay_InTheToolAndWithDotnetTest()
    {
        var (repo, evalh) = await InstallIntoEmptyFolderAsync("newer-libraries-repo");
        // The feed beside the machine's sources, as a repository-local nuget.config names it.
        File.WriteAllText(Path.Combine(repo, "nuget.config"), new System.Xml.Linq.XDocument(new System.Xml.Linq.XElement("configuration",
            new System.Xml.Linq.XElement("packageSources", new System.Xml.Linq.XElement("add", new System.Xml.Linq.XAttribute("key", "evalh-local"), new System.Xml.Linq.XAttribute("value", feed.Feed))))).ToString());
        WriteAgent(repo, "meai", "MeaiAgent", $"""<PackageReference Include="Microsoft.Extensions.AI" Version="{MeaiVersion}" />""", MeaiAgent);
        WriteAgent(repo, "framework", "FrameworkAgent", $"""<PackageReference Include="Microsoft.Agents.AI" Version="{AgentFrameworkVersion}" />""", FrameworkAgent);

        foreach (var (suite, type) in new[] { ("meai", "MeaiAgent"), ("framework", "FrameworkAgent") })
        {
            await Ok(repo, "dotnet", "build", $"evals/agents/{suite}");
            await Ok(repo, evalh, "record", $"evals/{suite}.yaml", "--upstream", "scripted");
            var run = await Ok(repo, evalh, "run", $"evals/{suite}.yaml");
            Assert.Contains("1/1 passed", run.Output, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(repo, "evals", "agents", suite, "bin", $"{type}.dll")));
        }

        // Both agents compiled into a test project, and both loaded from their own builds as the suites name them.
        WriteNewerLibrariesTestProject(Path.Combine(repo, "tests", "Agents.Tests"));
        var test = await Ok(repo, "dotnet", "test", "tests/Agents.Tests");
        Assert.Matches(@"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+4,", test.Output);
    }

    /// <summary>An agent project in <c>evals/agents/&lt;name&gt;/</c> (built into its <c>bin/</c>), its suite and its script in <c>evals/</c>.</summary>
    private void WriteAgent(string repo, string name, string type, string reference, string source)
    {
        var folder = Path.Combine(repo, "evals", "agents", name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, $"{type}.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <OutDir>$(MSBuildThisFileDirectory)bin/</OutDir>
                <EnableDynamicLoading>true</EnableDynamicLoading>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="EvalHarness.Abstractions" Version="{feed.Version}" />
                {reference}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, $"{type}.cs"), source);

        Directory.CreateDirectory(Path.Combine(repo, "evals", "scripts"));
        File.WriteAllText(Path.Combine(repo, "evals", $"{name}.yaml"), $$"""
            suite: {{name}}
            cassettes: { dir: cassettes }
            agent:
              dotnet: { assembly: agents/{{name}}/bin/{{type}}.dll, type: Desk.{{type}} }
              model: openai:gpt-4o-mini
            scenarios:
              - name: order-status
                input: "Where is my order B200?"
                expect:
                  output: { contains: [B200, shipped] }
                  tools:
                    called: [{ name: lookup_order, args: { order_id: B200 } }]
            """);
        File.WriteAllText(Path.Combine(repo, "evals", "scripts", $"{name}.yaml"), """
            default:
              order-status:
                - tools: [{ lookup_order: { order_id: B200 } }]
                - text: "Your order B200 (wireless headphones) has shipped."
            """);
    }

    private void WriteNewerLibrariesTestProject(string folder)
    {
        Directory.CreateDirectory(folder);
        WriteTestProjectFile(Path.Combine(folder, "Agents.Tests.csproj"), $"""
                <PackageReference Include="Microsoft.Extensions.AI" Version="{MeaiVersion}" />
                <PackageReference Include="Microsoft.Agents.AI" Version="{AgentFrameworkVersion}" />
                <Compile Include="../../evals/agents/*/*.cs" />
            """);
        File.WriteAllText(Path.Combine(folder, "AgentsTests.cs"), """
            using Desk;
            using EvalHarness.Xunit;
            using Xunit;

            public class AgentsTests
            {
                [Theory, SuiteCases("evals/meai.yaml")]
                public Task Meai(string suite, string cassettes, string caseId) => SuiteReplay.AssertPassesAsync<MeaiAgent>(suite, cassettes, caseId);

                [Theory, SuiteCases("evals/framework.yaml")]
                public Task Framework(string suite, string cassettes, string caseId) => SuiteReplay.AssertPassesAsync<FrameworkAgent>(suite, cassettes, caseId);

                [Theory, SuiteCases("evals/meai.yaml")]
                public Task MeaiBuilt(string suite, string cassettes, string caseId) => SuiteReplay.AssertPassesAsync(suite, cassettes, caseId);

                [Theory, SuiteCases("evals/framework.yaml")]
                public Task FrameworkBuilt(string suite, string cassettes, string caseId) => SuiteReplay.AssertPassesAsync(suite, cassettes, caseId);
            }
            """);
    }

    private const string MeaiAgent = """
        using System.ComponentModel;
        using EvalHarness;
        using Microsoft.Extensions.AI;

        namespace Desk;

        public sealed class MeaiAgent : IAgentUnderTest
        {
            public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default)
            {
                using var client = new ChatClientBuilder(agentCase.ChatClient).UseFunctionInvocation().Build();
                var options = new ChatOptions { Temperature = 0, Tools = [AIFunctionFactory.Create(LookupOrder, "lookup_order", "An order's status.")] };
                var response = await client.GetResponseAsync([new(ChatRole.System, "You answer about orders."), .. agentCase.Messages], options, cancellationToken);
                return response.Text;
            }

            private static object LookupOrder([Description("The order id.")] string order_id) => new { order_id, status = "shipped" };
        }
        """;

    private const string FrameworkAgent = """
        using System.ComponentModel;
        using EvalHarness;
        using Microsoft.Agents.AI;
        using Microsoft.Extensions.AI;

        namespace Desk;

        public sealed class FrameworkAgent : IAgentUnderTest
        {
            public async Task<AgentReport> RunAsync(AgentCase agentCase, CancellationToken cancellationToken = default)
            {
                var agent = new ChatClientAgent(agentCase.ChatClient, "You answer about orders.", "desk",
                    tools: [AIFunctionFactory.Create(LookupOrder, "lookup_order", "An order's status.")]);
                var response = await agent.RunAsync(agentCase.Messages, cancellationToken: cancellationToken);
                return response.Text;
            }

            private static object LookupOrder([Description("The order id.")] string order_id) => new { order_id, status = "shipped" };
        }
        """;
}
