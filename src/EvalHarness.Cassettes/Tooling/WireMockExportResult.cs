namespace EvalHarness.Cassettes.Tooling;

/// <summary>What <see cref="WireMockExport.Write"/> wrote.</summary>
/// <param name="Folder">The output folder; its mappings are in <c>mappings/</c>.</param>
/// <param name="Cassettes">How many cassettes were exported.</param>
/// <param name="Mappings">How many mapping files were written, one per interaction.</param>
/// <param name="Approximations">Interactions WireMock serves only approximately (recorded faults), each with how.</param>
public sealed record WireMockExportResult(string Folder, int Cassettes, int Mappings, IReadOnlyList<string> Approximations);
