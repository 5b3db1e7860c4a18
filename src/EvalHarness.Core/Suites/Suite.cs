using EvalHarness.BuiltIn;
namespace EvalHarness.Core.Suites;

/// <summary>A loaded, validated suite: an agent, its variants, the fixtures and the scenarios.</summary>
public sealed record Suite
{
    /// <summary>The suite's name, the first segment of its cassette ids.</summary>
    public required string Name { get; init; }

    /// <summary>The suite file, as given.</summary>
    public required string FilePath { get; init; }

    /// <summary>The variants to run; a suite without a <c>variants</c> list has one named <c>default</c>.</summary>
    public required IReadOnlyList<Variant> Variants { get; init; }

    /// <summary>How many times each scenario runs under each variant.</summary>
    public required int Trials { get; init; }

    /// <summary>The fixture data.</summary>
    internal Fixtures Fixtures { get; init; } = new();

    /// <summary>Toolkits loaded from the suite's <c>toolkits:</c> assemblies, besides the built-in ones.</summary>
    internal IReadOnlyList<IToolkit> Toolkits { get; init; } = [];

    /// <summary>How the suite's cassettes are recorded and matched.</summary>
    public CassetteSettings Cassettes { get; init; } = new();

    /// <summary>Whether the suite was loaded with <see cref="SuiteLoadOptions.AllowOutside"/>: files it uses later (its script) are held to the same rule.</summary>
    public bool AllowOutside { get; init; }

    /// <summary>The scenarios, in file order.</summary>
    public required IReadOnlyList<Scenario> Scenarios { get; init; }
}
