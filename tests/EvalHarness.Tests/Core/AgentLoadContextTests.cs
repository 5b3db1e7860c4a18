using System.Reflection;
using System.Reflection.Emit;
using System.Text.Json;
using EvalHarness.Core.UnderTest;
using EvalHarness.Tests.Adoption;
using EvalHarness.Tests.Support;
using Microsoft.Extensions.AI;

namespace EvalHarness.Tests.Core;

/// <summary>
/// The load context of a team's agent: the assemblies both sides use are the harness's whatever version the agent
/// asks for, and an agent built on a newer one than the harness carries is told both versions (issue 25, bug 18).
/// </summary>
public sealed class AgentLoadContextTests : IDisposable
{
    private static readonly string Carried = PackedFeed.PinnedVersion("Microsoft.Extensions.AI.Abstractions");

    private readonly TempDirectory _temp = new();
    private readonly AgentLoadContext _context;
    private readonly Assembly _agent;

    public AgentLoadContextTests()
    {
        // A tiny agent assembly of its own, alone in its folder: it has no copy of any dependency beside it.
        var path = _temp.Combine("TinyAgent.dll");
        var builder = new PersistedAssemblyBuilder(new AssemblyName("TinyAgent"), typeof(object).Assembly);
        builder.DefineDynamicModule("TinyAgent").DefineType("TinyAgent.Agent", TypeAttributes.Public).CreateType();
        builder.Save(path);
        _context = new AgentLoadContext(path);
        _agent = _context.LoadFromAssemblyPath(path);
    }

    public void Dispose() => _temp.Dispose();

    private static string Newer => $"{Version.Parse(Carried).Major + 1}.0.0";

    [Theory]
    [InlineData("Microsoft.Extensions.AI.Abstractions")]
    [InlineData("EvalHarness.Abstractions")]
    [InlineData("System.Text.Json")]
    public void Load_SharedAssemblyInANewerVersion_IsTheHarnesssCopy(string name)
    {
        var harness = name switch
        {
            "Microsoft.Extensions.AI.Abstractions" => typeof(IChatClient).Assembly,
            "EvalHarness.Abstractions" => typeof(IAgentUnderTest).Assembly,
            _ => typeof(JsonElement).Assembly,
        };

        var loaded = _context.LoadFromAssemblyName(new AssemblyName($"{name}, Version=99.0.0.0"));

        Assert.Same(harness, loaded);
        Assert.Contains(_context.Newer, n => n.Assembly == name && n.AgentVersion == "99.0.0");
    }

    [Fact]
    public void Load_SharedAssemblyInAnOlderVersion_IsTheHarnesssCopy_AndNotNewer()
    {
        var loaded = _context.LoadFromAssemblyName(new AssemblyName("Microsoft.Extensions.AI.Abstractions, Version=10.5.0.0"));

        Assert.Same(typeof(IChatClient).Assembly, loaded);
        Assert.Empty(_context.Newer);
    }

    [Fact]
    public void VersionNote_MissingMethodInAnAgentBuiltOnNewerAbstractions_NamesBothVersions()
    {
        _context.LoadFromAssemblyName(new AssemblyName($"Microsoft.Extensions.AI.Abstractions, Version={Newer}.0"));
        var thrown = new MissingMethodException("Method not found: 'Microsoft.Extensions.AI.ChatOptions.get_Something()'.");

        Assert.Equal(
            $" The agent was built on Microsoft.Extensions.AI.Abstractions {Newer}; this EvalHarness carries {Carried}: build it on Microsoft.Extensions.AI.Abstractions {Carried} or earlier, or update EvalHarness.",
            AgentAssembly.VersionNote(thrown, _agent));
        Assert.NotEmpty(AgentAssembly.VersionNote(new InvalidOperationException("x", new TypeLoadException("y")), _agent));
    }

    [Fact]
    public void VersionNote_AnotherExceptionOrNoNewerAssembly_IsEmpty()
    {
        Assert.Empty(AgentAssembly.VersionNote(new MissingMethodException("m"), _agent));
        _context.LoadFromAssemblyName(new AssemblyName($"Microsoft.Extensions.AI.Abstractions, Version={Newer}.0"));

        Assert.Empty(AgentAssembly.VersionNote(new InvalidOperationException("the agent's own bug"), _agent));
        Assert.Empty(AgentAssembly.VersionNote(new MissingMethodException("m"), typeof(AgentLoadContextTests).Assembly));
    }
}
