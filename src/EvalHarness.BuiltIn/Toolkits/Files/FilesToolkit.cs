using System.ComponentModel;
using Microsoft.Extensions.AI;

namespace EvalHarness.BuiltIn;

/// <summary>A sandboxed workspace of text files: list, read, write.</summary>
internal sealed class FilesToolkit : BuiltInToolkit
{
    public override string Name => "files";

    public override IReadOnlyList<string> FixtureKeys => ["files"];

    public override IReadOnlyList<ToolkitTool> Tools { get; } =
    [
        Tool("read_file", env => AIFunctionFactory.Create(
            ([Description("A path inside the workspace, e.g. reports/q3.txt")] string path) => env.Workspace.Read(path),
            "read_file", "Reads a file of the workspace.")),
        Tool("list_files", env => AIFunctionFactory.Create(
            () => env.Workspace.Files.Keys.Order(StringComparer.Ordinal).ToList(),
            "list_files", "Lists the files of the workspace.")),
        Tool("write_file", env => AIFunctionFactory.Create(
            ([Description("A path inside the workspace")] string path, [Description("The whole new content of the file")] string content) => env.Workspace.Write(path, content),
            "write_file", "Creates or replaces a file of the workspace."), sideEffecting: true),
    ];
}
