using EvalHarness.Cassettes.Format;
using EvalHarness.Cassettes.Protocols;

namespace EvalHarness.Core.UnderTest;

/// <summary>Reading one model call: its answer, plain or streamed, by the protocol whose path it called.</summary>
internal sealed partial record RecordedTraffic
{
    /// <summary>One model call, read from its request and (plain or streamed) response.</summary>
    private sealed record Turn(string Provider, string Model, bool Ok, string Status, string Text, IReadOnlyList<ModelToolCall> Calls, long InputTokens, long OutputTokens)
    {
        public static Turn Read(Interaction interaction)
        {
            var protocol = WireProtocols.ForRecordedPath(interaction.Request.Path);
            var answer = protocol.ReadAnswer(interaction);
            return new Turn(protocol.Name, answer.Model ?? "model", answer.Ok, answer.Status, answer.Text, answer.ToolCalls, answer.InputTokens, answer.OutputTokens);
        }
    }
}
