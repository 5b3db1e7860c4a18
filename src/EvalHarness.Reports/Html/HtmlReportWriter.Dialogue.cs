using System.Globalization;
using System.Text;
using EvalHarness.Core.Results;

namespace EvalHarness.Reports.Html;

/// <summary>Conversations: the multi-turn figures per scenario, and each case's dialogue turn by turn.</summary>
public static partial class HtmlReportWriter
{
    /// <summary>Per scenario that is a conversation: its turns, steps per turn, pass^k over its trials, and how it ended.</summary>
    private static void Conversations(StringBuilder html, ReportContext context)
    {
        var scenarios = context.Run.Groups.Where(g => g.Kind == "scenario" && g.MeanTurns is not null).ToList();
        if (scenarios.Count == 0)
        {
            return;
        }

        html.Append("<details id=\"conversations\" open><summary>Conversations</summary><div><table><thead><tr><th>Variant / scenario</th><th class=\"num\">Trials</th><th class=\"num\">Passed</th>")
            .Append("<th class=\"num\">pass^k</th><th class=\"num\">Turns</th><th class=\"num\">Steps per turn</th><th>Ended by</th></tr></thead><tbody>");
        foreach (var g in scenarios)
        {
            var endings = Format.Endings(g.EndedBy!);
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(g.Key)}</td><td class=\"num\">{g.Cases}</td><td class=\"num\">{g.Passed}</td><td class=\"num\">{Format.Percent(g.PassHatK)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"num\">{Format.Number(g.MeanTurns!.Value)}</td><td class=\"num\">{Format.Number(g.StepsPerTurn!.Value)}</td><td>{E(endings)}</td></tr>");
        }

        html.Append("</tbody></table><p class=\"note\">pass^k: the chance that all k trials of a scenario pass (k = its trials), as tau-bench reports it. Turns are the user's messages; a simulated user's closing message is not one.</p></div></details>");
    }

    /// <summary>A case's conversation, turn by turn: the user's message, the reply, the tools it called and the turn's verdicts.</summary>
    private static void Dialogue(StringBuilder html, CaseResult c)
    {
        if (c.Dialogue is not { } dialogue)
        {
            return;
        }

        html.Append("<h3>Dialogue</h3><ol class=\"dialogue\">");
        var calls = 0;
        for (var i = 0; i < dialogue.Turns.Count; i++)
        {
            var turn = dialogue.Turns[i];
            var tools = c.ToolCalls.Skip(calls).Take(turn.ToolCalls).Select(t => t.Tool).ToList();
            calls += turn.ToolCalls;
            var prefix = $"turn {i + 1} ";
            var verdicts = c.Verdicts.Where(v => v.Kind.StartsWith(prefix, StringComparison.Ordinal) || v.Kind == prefix.TrimEnd()).ToList();
            var failed = verdicts.Any(v => !v.Passed) || turn.Outcome != "completed";
            html.Append(CultureInfo.InvariantCulture, $"<li class=\"turn{(failed ? " failed" : string.Empty)}\"><div class=\"turn-head\">Turn {i + 1} · {turn.Steps} step(s)")
                .Append(tools.Count == 0 ? " · no tools" : $" · {E(string.Join(", ", tools))}")
                .Append(turn.Outcome == "completed" ? string.Empty : $" · <b>{E(turn.Outcome)}</b>").Append("</div>")
                .Append(CultureInfo.InvariantCulture, $"<div class=\"msg user\"><span class=\"role\">user</span>{E(turn.User)}</div>")
                .Append(CultureInfo.InvariantCulture, $"<div class=\"msg assistant\"><span class=\"role\">agent</span>{E(turn.Output)}</div>");
            foreach (var v in verdicts)
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"turn-verdict\"><span class=\"{(v.Passed ? "pass-cell" : "fail-cell")}\">{(v.Passed ? "pass" : "fail")}</span> {E(v.Reason)}</div>");
            }

            html.Append("</li>");
        }

        html.Append("</ol>");
        if (dialogue.Closing is { } closing)
        {
            html.Append(CultureInfo.InvariantCulture, $"<div class=\"msg user closing\"><span class=\"role\">user (closing, not sent)</span>{E(closing)}</div>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">The conversation ended by {E(Core.Suites.DialogueExpectation.Describe(dialogue.EndedBy))} after {dialogue.Turns.Count} user turn(s), {Format.Number(dialogue.StepsPerTurn)} step(s) per turn.</p>");
    }
}
